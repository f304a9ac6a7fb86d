/*
 * vm.h -- the virtual machine: value stack, call frames, globals and the
 * heap's bookkeeping.
 */
#ifndef lox_vm_h
#define lox_vm_h

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
    /* The tracer's call path of the frame, built when something first
     * allocates under it (where.h); 0 until then. */
    WITH_HOOKS(uint32_t trace_path;)
} CallFrame;

typedef struct {
    CallFrame frames[FRAMES_MAX];
    CallFrame *frame_top;    /* one past the innermost frame */
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
    HEAP_SLOT_FIELD(gray_slot)
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
#endif
