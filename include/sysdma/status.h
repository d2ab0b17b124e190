/* SPDX-License-Identifier: MIT */
/*
 * sysdma status codes: one enum for the whole library, generated from the
 * X-macro list below so that the value, its name and its message never
 * drift apart. Every public function that can fail returns one of these;
 * bad input returns a status and changes nothing.
 */
#ifndef SYSDMA_STATUS_H
#define SYSDMA_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/* X(name, value, message) */
#define SYSDMA_STATUS_MAP(X)                                                  \
    X(OK, 0, "success")                                                       \
    X(PENDING, 1, "request queued; its callback runs when resources free up") \
    X(E_INVALID_ARGUMENT, -1, "invalid argument")                             \
    X(E_INVALID_DESCRIPTION, -2, "invalid device description")                \
    X(E_UNKNOWN_VERSION, -3, "unknown version (of a device description or a saved state)") \
    X(E_INVALID_CHANNEL, -4, "no such DMA channel (or channel 4, the cascade)") \
    X(E_WIDTH_MISMATCH, -5, "transfer width does not match the channel")      \
    X(E_NOT_SUPPORTED, -6, "operation not supported by this adapter or controller") \
    X(E_INSUFFICIENT_RESOURCES, -7, "insufficient resources")                 \
    X(E_MAP_REGISTERS_EXHAUSTED, -8, "map register pool exhausted for now")   \
    X(E_TOO_MANY_MAP_REGISTERS, -9, "more map registers than the adapter or pool can ever give") \
    X(E_NO_MEMORY, -10, "platform memory allocation failed")                  \
    X(E_LENGTH, -11, "length is zero or larger than allowed")                 \
    X(E_ALIGNMENT, -12, "address or length not aligned as the channel needs") \
    X(E_BOUNDARY, -13, "range crosses a boundary the controller cannot cross") \
    X(E_OUT_OF_REACH, -14, "memory is beyond what the channel can address")   \
    X(E_OUT_OF_RANGE, -15, "address or length outside the buffer (MDL)")      \
    X(E_WRONG_STATE, -16, "call not valid in the object's current state")     \
    X(E_NOT_OWNER, -17, "caller does not hold this channel or resource")      \
    X(E_BUSY, -18, "resource is busy")                                        \
    X(E_BUFFER_TOO_SMALL, -19, "buffer too small")                            \
    X(E_CANCELLED, -20, "cancelled")                                          \
    X(E_DEVICE, -21, "device reported an error")                              \
    X(E_TIMEOUT, -22, "timed out")                                            \
    X(E_NOT_IMPLEMENTED, -23, "controller does not implement this function")  \
    X(E_VERIFIER, -24, "refused by the DMA verifier")                         \
    X(E_TOO_MANY_ELEMENTS, -25, "list needs more elements than the adapter's scatter/gather limit") \
    X(E_STATE_CORRUPT, -26, "saved state is truncated, damaged or holds values the model cannot have") \
    X(E_TRANSFER_ERROR, -27, "the controller stopped the transfer on an error (a bus fault)")

typedef enum sysdma_status {
#define SYSDMA_STATUS_ENUM_(name, value, msg) SYSDMA_##name = value,
    SYSDMA_STATUS_MAP(SYSDMA_STATUS_ENUM_)
#undef SYSDMA_STATUS_ENUM_
} sysdma_status;

/* A one-line English message for `s` ("unknown status" for other values). */
const char *sysdma_strerror(int s);

/* The enum's name without the SYSDMA_ prefix ("E_LENGTH"), or "?" . */
const char *sysdma_status_name(int s);

#ifdef __cplusplus
}
#endif
#endif /* SYSDMA_STATUS_H */
