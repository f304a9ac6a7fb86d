/*
 * natives.c -- clock() from the book, len/push/pop for arrays, and the
 * memtracer_* natives that bracket what a script wants traced.  A lox
 * without hooks has them too, answering as a lox run without --memtracer
 * does: a script runs unchanged on either, and both start with the same
 * globals.
 *
 * The VM has checked the argument count; a native checks the types and
 * reports misuse as a runtime error naming the function and what it
 * accepts.  push() returns nil, like every Lox statement-ish operation;
 * pop() returns the element it removed.
 */
#include <string.h>
#include <time.h>

#include "natives.h"
#include "where.h"
#include "object.h"
#include "vm.h"

static bool clock_native(Value *args, Value *result) {
    (void)args;
    *result = NUMBER_VAL((double)clock() / CLOCKS_PER_SEC);
    return true;
}

static bool len_native(Value *args, Value *result) {
    if (IS_ARRAY(args[0])) {
        *result = NUMBER_VAL(AS_ARRAY(args[0])->items.count);
    } else if (IS_STRING(args[0])) {
        *result = NUMBER_VAL(AS_STRING(args[0])->length);
    } else {
        vm_runtime_error("len() expects an array or a string.");
        return false;
    }
    return true;
}

static bool push_native(Value *args, Value *result) {
    if (!IS_ARRAY(args[0])) {
        vm_runtime_error("push() expects an array as its first argument.");
        return false;
    }
    array_push(AS_ARRAY(args[0]), args[1]);
    *result = NIL_VAL;
    return true;
}

static bool pop_native(Value *args, Value *result) {
    if (!IS_ARRAY(args[0])) {
        vm_runtime_error("pop() expects an array.");
        return false;
    }
    ObjArray *array = AS_ARRAY(args[0]);
    if (array->items.count == 0) {
        vm_runtime_error("Can't pop from an empty array.");
        return false;
    }
    *result = array->items.values[--array->items.count];
    return true;
}

/* memtracer_start() and memtracer_stop(): whether recording is on after
 * (false without --memtracer). */
static bool start_native(Value *args, Value *result) {
    (void)args;
    *result = BOOL_VAL(where_recording(true));
    return true;
}

static bool stop_native(Value *args, Value *result) {
    (void)args;
    *result = BOOL_VAL(where_recording(false));
    return true;
}

static bool reset_native(Value *args, Value *result) {
    (void)args;
    where_reset();
    *result = NIL_VAL;
    return true;
}

/* memtracer_snapshot(path): whether the report was written; why not goes
 * to stderr in one line (false without --memtracer, silently). */
static bool snapshot_native(Value *args, Value *result) {
    if (!IS_STRING(args[0])) {
        vm_runtime_error("memtracer_snapshot() expects a file name.");
        return false;
    }
    *result = BOOL_VAL(where_snapshot(AS_CSTRING(args[0])));
    return true;
}

/* Name and native are kept on the stack while the global is stored:
 * either allocation may collect. */
void natives_add(const char *name, NativeFn function, int arity) {
    vm_push(OBJ_VAL(string_copy(name, (int)strlen(name))));
    vm_push(OBJ_VAL(native_new(function, arity)));
    table_set(&vm.globals, AS_STRING(vm.stack_top[-2]), vm.stack_top[-1]);
    vm_pop();
    vm_pop();
}

void natives_define(void) {
    natives_add("clock", clock_native, 0);
    natives_add("len", len_native, 1);
    natives_add("push", push_native, 2);
    natives_add("pop", pop_native, 1);
    natives_add("memtracer_start", start_native, 0);
    natives_add("memtracer_stop", stop_native, 0);
    natives_add("memtracer_reset", reset_native, 0);
    natives_add("memtracer_snapshot", snapshot_native, 1);
}
