/*
 * vm.h -- the virtual machine: value stack, call frames, globals, the
 * heap's bookkeeping, and the tracer's names for the built-in types.
 */
#ifndef lox_vm_h
#define lox_vm_h

#include <memtracer.h>

#include "compiler.h"
#include "object.h"
#include "table.h"
#include "value.h"

#define FRAMES_MAX 64
#define STACK_MAX (FRAMES_MAX * UINT8_COUNT)

typedef struct {
    ObjClosure *closure;
    uint8_t *ip;  /* saved by the run loop before anything that may
                     allocate or fail: the line comes from it */
    Value *slots;
} CallFrame;

typedef struct {
    CallFrame frames[FRAMES_MAX];
    int frame_count;
    Value stack[STACK_MAX];
    Value *stack_top;
    Table globals;
    Table strings;
    ObjString *init_string;
    ObjUpvalue *open_upvalues;
    const char *script_name; /* the file locations name */

    size_t bytes_allocated;
    size_t next_gc;
    bool gc_stress;
    Obj *objects;
    int gray_count;
    int gray_capacity;
    Obj **gray_stack;
    mt_tag gray_tag;

    mt_type mt_types[OBJ_TYPE_COUNT]; /* set only while tracing */
} VM;

typedef enum {
    INTERPRET_OK,
    INTERPRET_COMPILE_ERROR,
    INTERPRET_RUNTIME_ERROR
} InterpretResult;

extern VM vm;

/* script_name names the source in locations; args become the global
 * `args`; gc_stress collects before every allocation. */
void vm_init(const char *script_name, int argc, char **argv, bool gc_stress);
void vm_free(void);
/* source: length bytes followed by a NUL. */
InterpretResult vm_interpret(const char *source, size_t length);

void vm_push(Value value);
Value vm_pop(void);
/* Reports a runtime error with a stack trace and resets the stack. */
void vm_runtime_error(const char *format, ...);
/* Where the guest is, for the tracer: inline, because every traced
 * allocation asks. */

/* The line executing in the innermost frame (or being compiled). */
static inline int vm_current_line(void) {
    if (vm.frame_count == 0) return compiler_line();
    CallFrame *frame = &vm.frames[vm.frame_count - 1];
    Chunk *chunk = &frame->closure->function->chunk;
    return chunk->lines[frame->ip - chunk->code - 1];
}

/* The tracer's name of the function running in the innermost frame (or
 * being compiled). */
static inline mt_func vm_current_mt_func(void) {
    if (vm.frame_count == 0) return compiler_mt_func();
    return function_mt_func(vm.frames[vm.frame_count - 1].closure->function);
}

#endif
