/* SPDX-License-Identifier: MIT */
/*
 * The registry and the hardware description, answered from the harness's
 * machine description. The registry is a flat list of values under full
 * key paths ("\Registry\Machine\System\CurrentControlSet\Services\NAME"),
 * compared without regard to case; a key exists when it holds a value or
 * was created. IoQueryDeviceDescription walks the machine's ISA
 * components: the floppy controller (DiskController 0, with its
 * FloppyDiskPeripheral 0) and the Sound Blaster (AudioController 0).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wdk_internal.h"

#define TAG_REG 0x20676552 /* 'Reg ' */
#define SERVICES "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\"

/* ---- values ------------------------------------------------------------------------------- */

static wdk_value *find_value(const char *key, const char *name)
{
    for (unsigned k = 0; k < W->nvalues; k++)
        if (!strcasecmp(W->values[k].key, key) && !strcasecmp(W->values[k].name, name))
            return &W->values[k];
    return NULL;
}

static bool key_exists(const char *key)
{
    size_t n = strlen(key);
    for (unsigned k = 0; k < W->nvalues; k++)
        if (!strncasecmp(W->values[k].key, key, n) &&
            (W->values[k].key[n] == 0 || W->values[k].key[n] == '\\'))
            return true;
    return false;
}

void sysdma__wdk_registry_set(const char *key, const char *name, ULONG type, const void *data,
                              ULONG len)
{
    wdk_value *v = find_value(key, name);
    if (!v) {
        if (W->nvalues == W->cap_values) {
            unsigned cap = W->cap_values ? 2 * W->cap_values : 16;
            wdk_value *nv = realloc(W->values, cap * sizeof *nv);
            if (!nv)
                return;
            W->values = nv;
            W->cap_values = cap;
        }
        v = &W->values[W->nvalues++];
        memset(v, 0, sizeof *v);
        snprintf(v->key, sizeof v->key, "%s", key);
        snprintf(v->name, sizeof v->name, "%s", name);
    }
    v->type = type;
    v->len = len > sizeof v->data ? (ULONG)sizeof v->data : len;
    if (data)
        memcpy(v->data, data, v->len);
}

static void set_string(const char *key, const char *name, const char *s)
{
    WCHAR w[120];
    sysdma__wdk_wcs_from_ascii(w, 120, s);
    sysdma__wdk_registry_set(key, name, REG_SZ, w,
                             (ULONG)((sysdma__wdk_wcslen(w) + 1) * sizeof(WCHAR)));
}

void sysdma__wdk_registry_init(void)
{
    char key[160];
    snprintf(key, sizeof key, SERVICES "%s", W->cfg->service_name);
    ULONG one = 1, zero = 0;
    sysdma__wdk_registry_set(key, "Type", REG_DWORD, &one, 4);
    sysdma__wdk_registry_set(key, "Start", REG_DWORD, &one, 4);
    sysdma__wdk_registry_set(key, "ErrorControl", REG_DWORD, &zero, 4);
    set_string(key, "ImagePath", "System32\\drivers\\driver.sys");
    char params[200];
    snprintf(params, sizeof params, "%s\\Parameters", key);
    sysdma__wdk_registry_set(params, "SysdmaWdk", REG_DWORD, &one, 4);
    for (const char *p = W->cfg->parameters; p && *p;) {
        size_t n = strcspn(p, ", ");
        char item[96];
        if (n && n < sizeof item) {
            memcpy(item, p, n);
            item[n] = 0;
            char *eq = strchr(item, '=');
            if (eq) {
                *eq = 0;
                ULONG v = (ULONG)strtoul(eq + 1, NULL, 0);
                sysdma__wdk_registry_set(params, item, REG_DWORD, &v, 4);
            }
        }
        p += n;
        p += strspn(p, ", ");
    }
}

void sysdma__wdk_registry_fini(void)
{
    free(W->values);
    W->values = NULL;
    W->nvalues = W->cap_values = 0;
}

/* The full path of Path under RelativeTo; false when it cannot be named. */
static bool resolve(ULONG RelativeTo, PCWSTR Path, char *out, size_t cap)
{
    static const char *const roots[] = {
        "", SERVICES, "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\",
        "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion\\",
        "\\Registry\\Machine\\Hardware\\DeviceMap\\", "\\Registry\\User\\CurrentUser\\"};
    ULONG rel = RelativeTo & ~(ULONG)RTL_REGISTRY_OPTIONAL;
    if (rel & RTL_REGISTRY_HANDLE) {
        const char *k = sysdma__wdk_handle_get((HANDLE)Path, WDK_H_KEY);
        if (!k)
            return false;
        snprintf(out, cap, "%s", k);
        return true;
    }
    if (rel >= RTL_REGISTRY_MAXIMUM)
        return false;
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, Path);
    char p[160];
    sysdma__wdk_ascii_from_us(p, sizeof p, &us);
    snprintf(out, cap, "%s%s", roots[rel], p);
    size_t n = strlen(out);
    while (n && out[n - 1] == '\\')
        out[--n] = 0;
    return true;
}

static NTSTATUS direct(const RTL_QUERY_REGISTRY_TABLE *e, ULONG type, const void *data,
                       ULONG len)
{
    if (type == REG_SZ || type == REG_EXPAND_SZ || type == REG_MULTI_SZ) {
        PUNICODE_STRING us = e->EntryContext;
        ULONG chars = len / sizeof(WCHAR);
        while (chars && ((const WCHAR *)data)[chars - 1] == 0)
            chars--;
        if (!us->Buffer) {
            us->Buffer = sysdma__wdk_alloc((chars + 1) * sizeof(WCHAR), TAG_REG);
            if (!us->Buffer)
                return STATUS_NO_MEMORY;
            us->MaximumLength = (USHORT)((chars + 1) * sizeof(WCHAR));
        }
        if ((chars + 1) * sizeof(WCHAR) > us->MaximumLength)
            return STATUS_BUFFER_TOO_SMALL;
        memcpy(us->Buffer, data, chars * sizeof(WCHAR));
        us->Buffer[chars] = 0;
        us->Length = (USHORT)(chars * sizeof(WCHAR));
        return STATUS_SUCCESS;
    }
    if (len <= sizeof(ULONG)) {
        ULONG v = 0;
        memcpy(&v, data, len);
        *(PULONG)e->EntryContext = v;
        return STATUS_SUCCESS;
    }
    /* Larger data: the first LONG of EntryContext is the buffer's size, negated. */
    LONG room = -*(PLONG)e->EntryContext;
    if (room < (LONG)len)
        return STATUS_BUFFER_TOO_SMALL;
    memcpy(e->EntryContext, data, len);
    return STATUS_SUCCESS;
}

NTSTATUS RtlQueryRegistryValues(ULONG RelativeTo, PCWSTR Path,
                                PRTL_QUERY_REGISTRY_TABLE QueryTable, PVOID Context,
                                PVOID Environment)
{
    (void)Environment;
    char top[200], cur[300];
    if (!QueryTable || !resolve(RelativeTo, Path, top, sizeof top))
        return STATUS_INVALID_PARAMETER;
    if (!key_exists(top))
        return (RelativeTo & RTL_REGISTRY_OPTIONAL) ? STATUS_SUCCESS
                                                    : STATUS_OBJECT_NAME_NOT_FOUND;
    snprintf(cur, sizeof cur, "%s", top);
    for (PRTL_QUERY_REGISTRY_TABLE e = QueryTable; e->QueryRoutine || e->Name; e++) {
        char name[64] = "";
        if (e->Name) {
            UNICODE_STRING us;
            RtlInitUnicodeString(&us, e->Name);
            sysdma__wdk_ascii_from_us(name, sizeof name, &us);
        }
        if (e->Flags & RTL_QUERY_REGISTRY_TOPKEY)
            snprintf(cur, sizeof cur, "%s", top);
        if (e->Flags & RTL_QUERY_REGISTRY_SUBKEY) {
            snprintf(cur, sizeof cur, "%s\\%s", top, name);
            if (!e->QueryRoutine)
                continue;
        }
        if (!e->QueryRoutine && !(e->Flags & RTL_QUERY_REGISTRY_DIRECT))
            return STATUS_INVALID_PARAMETER;
        if (!e->Name) { /* every value of the key */
            for (unsigned k = 0; k < W->nvalues; k++) {
                wdk_value *v = &W->values[k];
                if (strcasecmp(v->key, cur))
                    continue;
                WCHAR wn[64];
                sysdma__wdk_wcs_from_ascii(wn, 64, v->name);
                NTSTATUS st = e->QueryRoutine(wn, v->type, v->data, v->len, Context,
                                              e->EntryContext);
                if (!NT_SUCCESS(st))
                    return st;
            }
            continue;
        }
        wdk_value *v = find_value(cur, name);
        ULONG type, len;
        const void *data;
        if (v) {
            type = v->type, len = v->len, data = v->data;
        } else {
            if (e->Flags & RTL_QUERY_REGISTRY_REQUIRED)
                return STATUS_OBJECT_NAME_NOT_FOUND;
            if (e->DefaultType == REG_NONE || !e->DefaultData)
                continue;
            type = e->DefaultType, data = e->DefaultData, len = e->DefaultLength;
            if (!len && (type == REG_SZ || type == REG_EXPAND_SZ))
                len = (ULONG)((sysdma__wdk_wcslen(data) + 1) * sizeof(WCHAR));
            if (!len && type == REG_DWORD)
                len = sizeof(ULONG);
        }
        NTSTATUS st = (e->Flags & RTL_QUERY_REGISTRY_DIRECT)
                          ? direct(e, type, data, len)
                          : e->QueryRoutine(e->Name, type, (PVOID)data, len, Context,
                                            e->EntryContext);
        if (!NT_SUCCESS(st))
            return st;
    }
    return STATUS_SUCCESS;
}

NTSTATUS RtlWriteRegistryValue(ULONG RelativeTo, PCWSTR Path, PCWSTR ValueName, ULONG ValueType,
                               PVOID ValueData, ULONG ValueLength)
{
    char key[200], name[64];
    UNICODE_STRING us;
    if (!ValueName || !resolve(RelativeTo, Path, key, sizeof key))
        return STATUS_INVALID_PARAMETER;
    RtlInitUnicodeString(&us, ValueName);
    sysdma__wdk_ascii_from_us(name, sizeof name, &us);
    sysdma__wdk_registry_set(key, name, ValueType, ValueData, ValueLength);
    return STATUS_SUCCESS;
}

NTSTATUS RtlCheckRegistryKey(ULONG RelativeTo, PWSTR Path)
{
    char key[200];
    if (!resolve(RelativeTo, Path, key, sizeof key))
        return STATUS_INVALID_PARAMETER;
    return key_exists(key) ? STATUS_SUCCESS : STATUS_OBJECT_NAME_NOT_FOUND;
}

/* ---- keys as handles ----------------------------------------------------------------------- */

static NTSTATUS open_key(PHANDLE KeyHandle, POBJECT_ATTRIBUTES oa, bool create)
{
    if (!KeyHandle || !oa || !oa->ObjectName)
        return STATUS_INVALID_PARAMETER;
    char path[200], rel[160];
    sysdma__wdk_ascii_from_us(rel, sizeof rel, oa->ObjectName);
    const char *root = oa->RootDirectory ? sysdma__wdk_handle_get(oa->RootDirectory, WDK_H_KEY)
                                         : "";
    if (!root)
        return STATUS_INVALID_HANDLE;
    snprintf(path, sizeof path, "%s%s%s", root, oa->RootDirectory ? "\\" : "", rel);
    if (!key_exists(path)) {
        if (!create)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        sysdma__wdk_registry_set(path, "", REG_NONE, NULL, 0); /* the key's default value */
    }
    char *copy = sysdma__wdk_alloc(strlen(path) + 1, TAG_REG);
    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(copy, path, strlen(path) + 1);
    int h = sysdma__wdk_handle_new(WDK_H_KEY, copy);
    if (h < 0) {
        sysdma__wdk_free(copy);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *KeyHandle = (HANDLE)(uintptr_t)(4 * (h + 1));
    return STATUS_SUCCESS;
}

NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                   POBJECT_ATTRIBUTES ObjectAttributes)
{
    (void)DesiredAccess;
    return open_key(KeyHandle, ObjectAttributes, false);
}

NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                     POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                     PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    (void)DesiredAccess, (void)TitleIndex, (void)Class, (void)CreateOptions;
    char rel[160];
    bool existed = false;
    if (ObjectAttributes && ObjectAttributes->ObjectName && !ObjectAttributes->RootDirectory) {
        sysdma__wdk_ascii_from_us(rel, sizeof rel, ObjectAttributes->ObjectName);
        existed = key_exists(rel);
    }
    NTSTATUS st = open_key(KeyHandle, ObjectAttributes, true);
    if (NT_SUCCESS(st) && Disposition)
        *Disposition = existed ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
    return st;
}

NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                         KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                         PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    const char *key = sysdma__wdk_handle_get(KeyHandle, WDK_H_KEY);
    if (!key || !ValueName || !ResultLength)
        return STATUS_INVALID_PARAMETER;
    char name[64];
    sysdma__wdk_ascii_from_us(name, sizeof name, ValueName);
    wdk_value *v = find_value(key, name);
    if (!v)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (KeyValueInformationClass != KeyValuePartialInformation)
        return STATUS_NOT_SUPPORTED;
    ULONG need = (ULONG)offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data) + v->len;
    *ResultLength = need;
    if (Length < need)
        return Length < offsetof(KEY_VALUE_PARTIAL_INFORMATION, Data) ? STATUS_BUFFER_TOO_SMALL
                                                                      : STATUS_BUFFER_OVERFLOW;
    PKEY_VALUE_PARTIAL_INFORMATION p = KeyValueInformation;
    p->TitleIndex = 0;
    p->Type = v->type;
    p->DataLength = v->len;
    memcpy(p->Data, v->data, v->len);
    return STATUS_SUCCESS;
}

NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex, ULONG Type,
                       PVOID Data, ULONG DataSize)
{
    (void)TitleIndex;
    const char *key = sysdma__wdk_handle_get(KeyHandle, WDK_H_KEY);
    if (!key || !ValueName)
        return STATUS_INVALID_PARAMETER;
    char name[64];
    sysdma__wdk_ascii_from_us(name, sizeof name, ValueName);
    sysdma__wdk_registry_set(key, name, Type, Data, DataSize);
    return STATUS_SUCCESS;
}
