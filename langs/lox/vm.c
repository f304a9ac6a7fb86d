/*
 * vm.c -- the bytecode interpreter.
 *
 * The run loop keeps the instruction pointer, the stack top and the
 * frame's slots and constants in locals (registers) and dispatches with
 * computed gotos where the compiler has them (GCC, Clang), a switch
 * elsewhere.  Because ip and the stack top live in registers, frame->ip
 * and vm.stack_top are stale until an instruction stores them: every
 * instruction that may allocate, call or fail stores both first, so that
 * the collector sees the whole stack and runtime error traces and the
 * tracer's allocation lines read the right line.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "memory.h"
#include "natives.h"
#include "object.h"
#include "vm.h"
#include "where.h"

#define GC_FIRST_THRESHOLD (1024 * 1024)

VM vm;

static void stack_reset(void) {
    vm.stack_top = vm.stack;
    vm.frame_top = vm.frames;
    vm.open_upvalues = NULL;
}

void vm_push(Value value) { *vm.stack_top++ = value; }

Value vm_pop(void) { return *--vm.stack_top; }

static inline Value peek(int distance) { return vm.stack_top[-1 - distance]; }

void vm_runtime_error(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputs("\n", stderr);

    for (CallFrame *frame = vm.frame_top; frame > vm.frames;) {
        frame--;
        ObjFunction *function = frame->closure->function;
        size_t instruction = (size_t)(frame->ip - function->chunk.code - 1);
        fprintf(stderr, "[line %d] in ", function->chunk.lines[instruction]);
        if (function->name == NULL)
            fprintf(stderr, "script\n");
        else
            fprintf(stderr, "%s()\n", function->name->chars);
    }
    where_unwind(); /* the tracer's shadow stack too */
    stack_reset();
}

/* `args`: the script's command-line words, as an array of strings. */
static void args_define(int argc, char **argv) {
    ObjArray *array = array_new(argc);
    vm_push(OBJ_VAL(array));
    for (int i = 0; i < argc; i++) {
        ObjString *arg = string_copy(argv[i], (int)strlen(argv[i]));
        array->items.values[array->items.count++] = OBJ_VAL(arg);
    }
    vm_push(OBJ_VAL(string_copy("args", 4)));
    table_set(&vm.globals, AS_STRING(peek(0)), peek(1));
    vm_pop();
    vm_pop();
}

void vm_init(const char *script_name, int argc, char **argv, bool gc_stress) {
    stack_reset();
    vm.objects = NULL;
    vm.bytes_allocated = 0;
    vm.gc_stress = gc_stress;
    vm.next_gc = gc_stress ? 0 : GC_FIRST_THRESHOLD;
    vm.gray_count = 0;
    vm.gray_capacity = 0;
    vm.gray_stack = NULL;
    vm.script_name = script_name;
    HEAP_SLOT_SET(vm.gray_slot, HEAP_SLOT_NEW(OWNER_VM));

    table_init(&vm.globals);
    table_init(&vm.strings);
    vm.init_string = NULL;
    vm.init_string = string_copy("init", 4);
    natives_define();
    args_define(argc, argv);
}

void vm_free(void) {
    table_free(&vm.globals);
    table_free(&vm.strings);
    vm.init_string = NULL;
    gc_free_objects();
}

/* ---------------------------------------------------------------- calls */

static inline bool call(ObjClosure *closure, int arg_count) {
    ObjFunction *function = closure->function;
    if (arg_count != function->arity) {
        vm_runtime_error("Expected %d arguments but got %d.", function->arity,
                         arg_count);
        return false;
    }
    Value *slots = vm.stack_top - arg_count - 1;
    if (vm.frame_top == vm.frames + FRAMES_MAX ||
        function->max_stack > vm.stack + STACK_MAX - slots) {
        vm_runtime_error("Stack overflow.");
        return false;
    }
    CallFrame *frame = vm.frame_top++;
    frame->closure = closure;
    frame->ip = function->chunk.code;
    frame->slots = slots;
    where_call(frame);
    return true;
}

static bool call_value(Value callee, int arg_count) {
    if (IS_OBJ(callee)) {
        switch (OBJ_TYPE(callee)) {
        case OBJ_BOUND_METHOD: {
            ObjBoundMethod *bound = AS_BOUND_METHOD(callee);
            vm.stack_top[-arg_count - 1] = bound->receiver;
            return call(bound->method, arg_count);
        }
        case OBJ_CLASS: {
            ObjClass *klass = AS_CLASS(callee);
            vm.stack_top[-arg_count - 1] = OBJ_VAL(instance_new(klass));
            if (!IS_NIL(klass->initializer))
                return call(AS_CLOSURE(klass->initializer), arg_count);
            if (arg_count != 0) {
                vm_runtime_error("Expected 0 arguments but got %d.",
                                 arg_count);
                return false;
            }
            return true;
        }
        case OBJ_CLOSURE: return call(AS_CLOSURE(callee), arg_count);
        case OBJ_NATIVE: {
            ObjNative *native = AS_NATIVE(callee);
            if (arg_count != native->arity) {
                vm_runtime_error("Expected %d arguments but got %d.",
                                 native->arity, arg_count);
                return false;
            }
            Value result;
            if (!native->function(vm.stack_top - arg_count, &result))
                return false;
            vm.stack_top -= arg_count + 1;
            vm_push(result);
            return true;
        }
        default: break;
        }
    }
    vm_runtime_error("Can only call functions and classes.");
    return false;
}

static bool invoke_from_class(ObjClass *klass, ObjString *name,
                              int arg_count) {
    Value method;
    if (!table_get(&klass->methods, name, &method)) {
        vm_runtime_error("Undefined property '%s'.", name->chars);
        return false;
    }
    return call(AS_CLOSURE(method), arg_count);
}

static bool invoke(ObjString *name, int arg_count) {
    Value receiver = peek(arg_count);
    if (!IS_INSTANCE(receiver)) {
        vm_runtime_error("Only instances have methods.");
        return false;
    }
    ObjInstance *instance = AS_INSTANCE(receiver);
    Value value;
    if (table_get(&instance->fields, name, &value)) {
        vm.stack_top[-arg_count - 1] = value;
        return call_value(value, arg_count);
    }
    return invoke_from_class(instance->klass, name, arg_count);
}

static bool method_bind(ObjClass *klass, ObjString *name) {
    Value method;
    if (!table_get(&klass->methods, name, &method)) {
        vm_runtime_error("Undefined property '%s'.", name->chars);
        return false;
    }
    ObjBoundMethod *bound = bound_method_new(peek(0), AS_CLOSURE(method));
    vm.stack_top[-1] = OBJ_VAL(bound);
    return true;
}

/* Class and method are on the stack while the table grows. */
static void method_define(ObjClass *klass, ObjString *name, Value method) {
    table_set(&klass->methods, name, method);
    if (name == vm.init_string) klass->initializer = method;
}

/* ------------------------------------------------------------- upvalues */

static ObjUpvalue *upvalue_capture(Value *local) {
    ObjUpvalue *previous = NULL;
    ObjUpvalue *upvalue = vm.open_upvalues;
    while (upvalue != NULL && upvalue->location > local) {
        previous = upvalue;
        upvalue = upvalue->next;
    }
    if (upvalue != NULL && upvalue->location == local) return upvalue;

    ObjUpvalue *created = upvalue_new(local);
    created->next = upvalue;
    if (previous == NULL)
        vm.open_upvalues = created;
    else
        previous->next = created;
    return created;
}

static void upvalues_close(Value *last) {
    while (vm.open_upvalues != NULL && vm.open_upvalues->location >= last) {
        ObjUpvalue *upvalue = vm.open_upvalues;
        upvalue->closed = *upvalue->location;
        upvalue->location = &upvalue->closed;
        vm.open_upvalues = upvalue->next;
    }
}

/* ------------------------------------------------------------ operators */

static inline bool is_falsey(Value value) {
    return IS_NIL(value) || (IS_BOOL(value) && !AS_BOOL(value));
}

/* Both operands stay on the stack until the result exists: the new
 * characters' allocation may collect. */
static void concatenate(void) {
    ObjString *b = AS_STRING(peek(0));
    ObjString *a = AS_STRING(peek(1));
    int length = a->length + b->length;
    HeapSlot chars_slot = HEAP_SLOT_NEW(OWNER_STRING_CHARS);
    char *chars = ALLOCATE(char, length + 1, &chars_slot);
    memcpy(chars, a->chars, (size_t)a->length);
    memcpy(chars + a->length, b->chars, (size_t)b->length);
    chars[length] = '\0';
    ObjString *result = string_take(chars, length, chars_slot);
    vm.stack_top -= 2;
    vm_push(OBJ_VAL(result));
}

/* Checks target[index] and finds the element's slot. */
static bool array_slot(Value target, Value index, Value **slot) {
    if (!IS_ARRAY(target)) {
        vm_runtime_error("Only arrays can be indexed.");
        return false;
    }
    double number = IS_NUMBER(index) ? AS_NUMBER(index) : NAN;
    if (number != floor(number)) {
        vm_runtime_error("Array index must be an integer.");
        return false;
    }
    ValueArray *items = &AS_ARRAY(target)->items;
    if (number < 0 || number >= items->count) {
        vm_runtime_error("Array index %g out of bounds for length %d.",
                         number, items->count);
        return false;
    }
    *slot = &items->values[(int)number];
    return true;
}

/* ------------------------------------------------------------- the loop */

#if defined(__GNUC__) && !defined(LOX_SWITCH_DISPATCH)
#define COMPUTED_GOTO 1
#endif

static InterpretResult run(void) {
    CallFrame *frame = vm.frame_top - 1;
    uint8_t *ip = frame->ip;
    Value *slots = frame->slots;
    Value *constants = frame->closure->function->chunk.constants.values;
    Value *sp = vm.stack_top;

#define READ_BYTE() (*ip++)
#define READ_SHORT() (ip += 2, (uint16_t)((ip[-2] << 8) | ip[-1]))
#define READ_CONSTANT() (constants[READ_BYTE()])
#define READ_STRING() AS_STRING(READ_CONSTANT())
#define PUSH(value) (*sp++ = (value))
#define POP() (*--sp)
#define PEEK(distance) (sp[-1 - (distance)])
/* Before calling out of the loop: what the callee, the collector or an
 * error trace reads must be in memory. */
#define STORE() (frame->ip = ip, vm.stack_top = sp)
#define LOAD_FRAME()                                                \
    (frame = vm.frame_top - 1, ip = frame->ip,                      \
     slots = frame->slots,                                          \
     constants = frame->closure->function->chunk.constants.values)
#define RUNTIME_ERROR(...)                  \
    do {                                    \
        STORE();                            \
        vm_runtime_error(__VA_ARGS__);      \
        return INTERPRET_RUNTIME_ERROR;     \
    } while (0)
#define BINARY_OP(value_type, op)                                  \
    do {                                                           \
        if (!IS_NUMBER(PEEK(0)) || !IS_NUMBER(PEEK(1)))            \
            RUNTIME_ERROR("Operands must be numbers.");            \
        double b = AS_NUMBER(POP());                               \
        sp[-1] = value_type(AS_NUMBER(sp[-1]) op b);               \
    } while (0)

#ifdef COMPUTED_GOTO
    static void *const dispatch_table[] = {
        [OP_CONSTANT] = &&op_CONSTANT,
        [OP_NIL] = &&op_NIL,
        [OP_TRUE] = &&op_TRUE,
        [OP_FALSE] = &&op_FALSE,
        [OP_POP] = &&op_POP,
        [OP_GET_LOCAL] = &&op_GET_LOCAL,
        [OP_SET_LOCAL] = &&op_SET_LOCAL,
        [OP_GET_GLOBAL] = &&op_GET_GLOBAL,
        [OP_DEFINE_GLOBAL] = &&op_DEFINE_GLOBAL,
        [OP_SET_GLOBAL] = &&op_SET_GLOBAL,
        [OP_GET_UPVALUE] = &&op_GET_UPVALUE,
        [OP_SET_UPVALUE] = &&op_SET_UPVALUE,
        [OP_GET_PROPERTY] = &&op_GET_PROPERTY,
        [OP_SET_PROPERTY] = &&op_SET_PROPERTY,
        [OP_GET_SUPER] = &&op_GET_SUPER,
        [OP_GET_INDEX] = &&op_GET_INDEX,
        [OP_SET_INDEX] = &&op_SET_INDEX,
        [OP_EQUAL] = &&op_EQUAL,
        [OP_GREATER] = &&op_GREATER,
        [OP_LESS] = &&op_LESS,
        [OP_ADD] = &&op_ADD,
        [OP_SUBTRACT] = &&op_SUBTRACT,
        [OP_MULTIPLY] = &&op_MULTIPLY,
        [OP_DIVIDE] = &&op_DIVIDE,
        [OP_NOT] = &&op_NOT,
        [OP_NEGATE] = &&op_NEGATE,
        [OP_PRINT] = &&op_PRINT,
        [OP_JUMP] = &&op_JUMP,
        [OP_JUMP_IF_FALSE] = &&op_JUMP_IF_FALSE,
        [OP_LOOP] = &&op_LOOP,
        [OP_CALL] = &&op_CALL,
        [OP_INVOKE] = &&op_INVOKE,
        [OP_SUPER_INVOKE] = &&op_SUPER_INVOKE,
        [OP_CLOSURE] = &&op_CLOSURE,
        [OP_CLOSE_UPVALUE] = &&op_CLOSE_UPVALUE,
        [OP_RETURN] = &&op_RETURN,
        [OP_ARRAY] = &&op_ARRAY,
        [OP_CLASS] = &&op_CLASS,
        [OP_INHERIT] = &&op_INHERIT,
        [OP_METHOD] = &&op_METHOD,
    };
#define DISPATCH() goto *dispatch_table[READ_BYTE()]
#define CASE(name) op_##name
    DISPATCH();
#else
#define DISPATCH() continue
#define CASE(name) case OP_##name
    for (;;) switch (READ_BYTE()) {
#endif

    CASE(CONSTANT): PUSH(READ_CONSTANT()); DISPATCH();
    CASE(NIL): PUSH(NIL_VAL); DISPATCH();
    CASE(TRUE): PUSH(TRUE_VAL); DISPATCH();
    CASE(FALSE): PUSH(FALSE_VAL); DISPATCH();
    CASE(POP): sp--; DISPATCH();

    CASE(GET_LOCAL): {
        uint8_t slot = READ_BYTE();
        PUSH(slots[slot]);
        DISPATCH();
    }
    CASE(SET_LOCAL): {
        uint8_t slot = READ_BYTE();
        slots[slot] = PEEK(0);
        DISPATCH();
    }
    CASE(GET_GLOBAL): {
        ObjString *name = READ_STRING();
        Value value;
        if (!table_get(&vm.globals, name, &value))
            RUNTIME_ERROR("Undefined variable '%s'.", name->chars);
        PUSH(value);
        DISPATCH();
    }
    CASE(DEFINE_GLOBAL): {
        ObjString *name = READ_STRING();
        STORE();
        table_set(&vm.globals, name, PEEK(0));
        sp--;
        DISPATCH();
    }
    CASE(SET_GLOBAL): {
        ObjString *name = READ_STRING();
        STORE();
        if (table_set(&vm.globals, name, PEEK(0))) {
            table_delete(&vm.globals, name);
            RUNTIME_ERROR("Undefined variable '%s'.", name->chars);
        }
        DISPATCH();
    }
    CASE(GET_UPVALUE): {
        uint8_t slot = READ_BYTE();
        PUSH(*frame->closure->upvalues[slot]->location);
        DISPATCH();
    }
    CASE(SET_UPVALUE): {
        uint8_t slot = READ_BYTE();
        *frame->closure->upvalues[slot]->location = PEEK(0);
        DISPATCH();
    }
    CASE(GET_PROPERTY): {
        if (!IS_INSTANCE(PEEK(0)))
            RUNTIME_ERROR("Only instances have properties.");
        ObjInstance *instance = AS_INSTANCE(PEEK(0));
        ObjString *name = READ_STRING();
        Value value;
        if (table_get(&instance->fields, name, &value)) {
            sp[-1] = value;
            DISPATCH();
        }
        STORE();
        if (!method_bind(instance->klass, name))
            return INTERPRET_RUNTIME_ERROR;
        DISPATCH();
    }
    CASE(SET_PROPERTY): {
        if (!IS_INSTANCE(PEEK(1)))
            RUNTIME_ERROR("Only instances have fields.");
        ObjInstance *instance = AS_INSTANCE(PEEK(1));
        ObjString *name = READ_STRING();
        STORE();
        table_set(&instance->fields, name, PEEK(0));
        Value value = POP();
        sp[-1] = value;
        DISPATCH();
    }
    CASE(GET_SUPER): {
        ObjString *name = READ_STRING();
        ObjClass *superclass = AS_CLASS(POP());
        STORE();
        if (!method_bind(superclass, name)) return INTERPRET_RUNTIME_ERROR;
        DISPATCH();
    }
    CASE(GET_INDEX): {
        Value *slot;
        STORE();
        if (!array_slot(PEEK(1), PEEK(0), &slot))
            return INTERPRET_RUNTIME_ERROR;
        sp--;
        sp[-1] = *slot;
        DISPATCH();
    }
    CASE(SET_INDEX): {
        Value *slot;
        STORE();
        if (!array_slot(PEEK(2), PEEK(1), &slot))
            return INTERPRET_RUNTIME_ERROR;
        *slot = PEEK(0);
        sp -= 2;
        sp[-1] = *slot;
        DISPATCH();
    }
    CASE(EQUAL): {
        Value b = POP();
        sp[-1] = BOOL_VAL(value_equal(sp[-1], b));
        DISPATCH();
    }
    CASE(GREATER): BINARY_OP(BOOL_VAL, >); DISPATCH();
    CASE(LESS): BINARY_OP(BOOL_VAL, <); DISPATCH();
    CASE(ADD): {
        if (IS_NUMBER(PEEK(0)) && IS_NUMBER(PEEK(1))) {
            double b = AS_NUMBER(POP());
            sp[-1] = NUMBER_VAL(AS_NUMBER(sp[-1]) + b);
        } else if (IS_STRING(PEEK(0)) && IS_STRING(PEEK(1))) {
            STORE();
            concatenate();
            sp = vm.stack_top;
        } else {
            RUNTIME_ERROR("Operands must be two numbers or two strings.");
        }
        DISPATCH();
    }
    CASE(SUBTRACT): BINARY_OP(NUMBER_VAL, -); DISPATCH();
    CASE(MULTIPLY): BINARY_OP(NUMBER_VAL, *); DISPATCH();
    CASE(DIVIDE): BINARY_OP(NUMBER_VAL, /); DISPATCH();
    CASE(NOT): sp[-1] = BOOL_VAL(is_falsey(sp[-1])); DISPATCH();
    CASE(NEGATE): {
        if (!IS_NUMBER(PEEK(0))) RUNTIME_ERROR("Operand must be a number.");
        sp[-1] = NUMBER_VAL(-AS_NUMBER(sp[-1]));
        DISPATCH();
    }
    CASE(PRINT): {
        value_print(POP());
        putchar('\n');
        DISPATCH();
    }
    CASE(JUMP): {
        uint16_t offset = READ_SHORT();
        ip += offset;
        DISPATCH();
    }
    CASE(JUMP_IF_FALSE): {
        uint16_t offset = READ_SHORT();
        if (is_falsey(PEEK(0))) ip += offset;
        DISPATCH();
    }
    CASE(LOOP): {
        uint16_t offset = READ_SHORT();
        ip -= offset;
        DISPATCH();
    }
    CASE(CALL): {
        int arg_count = READ_BYTE();
        STORE();
        if (!call_value(PEEK(arg_count), arg_count))
            return INTERPRET_RUNTIME_ERROR;
        sp = vm.stack_top;
        LOAD_FRAME();
        DISPATCH();
    }
    CASE(INVOKE): {
        ObjString *method = READ_STRING();
        int arg_count = READ_BYTE();
        STORE();
        if (!invoke(method, arg_count)) return INTERPRET_RUNTIME_ERROR;
        sp = vm.stack_top;
        LOAD_FRAME();
        DISPATCH();
    }
    CASE(SUPER_INVOKE): {
        ObjString *method = READ_STRING();
        int arg_count = READ_BYTE();
        ObjClass *superclass = AS_CLASS(POP());
        STORE();
        if (!invoke_from_class(superclass, method, arg_count))
            return INTERPRET_RUNTIME_ERROR;
        sp = vm.stack_top;
        LOAD_FRAME();
        DISPATCH();
    }
    CASE(CLOSURE): {
        ObjFunction *function = AS_FUNCTION(READ_CONSTANT());
        STORE();
        ObjClosure *closure = closure_new(function);
        PUSH(OBJ_VAL(closure));
        vm.stack_top = sp; /* capturing allocates: keep the closure seen */
        for (int i = 0; i < closure->upvalue_count; i++) {
            uint8_t is_local = READ_BYTE();
            uint8_t index = READ_BYTE();
            if (is_local)
                closure->upvalues[i] = upvalue_capture(slots + index);
            else
                closure->upvalues[i] = frame->closure->upvalues[index];
        }
        DISPATCH();
    }
    CASE(CLOSE_UPVALUE): {
        upvalues_close(sp - 1);
        sp--;
        DISPATCH();
    }
    CASE(RETURN): {
        Value result = POP();
        upvalues_close(slots);
        vm.frame_top--;
        if (vm.frame_top == vm.frames) {
            where_return(NULL);
            vm.stack_top = sp - 1; /* the script's closure */
            return INTERPRET_OK;
        }
        sp = slots;
        PUSH(result);
        LOAD_FRAME();
        where_return(frame);
        DISPATCH();
    }
    CASE(ARRAY): {
        int count = READ_BYTE();
        STORE();
        ObjArray *array = array_new(count);
        for (int i = 0; i < count; i++)
            array->items.values[i] = sp[i - count];
        array->items.count = count;
        sp -= count;
        PUSH(OBJ_VAL(array));
        DISPATCH();
    }
    CASE(CLASS): {
        ObjString *name = READ_STRING();
        STORE();
        PUSH(OBJ_VAL(class_new(name)));
        DISPATCH();
    }
    CASE(INHERIT): {
        Value superclass = PEEK(1);
        if (!IS_CLASS(superclass))
            RUNTIME_ERROR("Superclass must be a class.");
        ObjClass *subclass = AS_CLASS(PEEK(0));
        STORE();
        table_add_all(&AS_CLASS(superclass)->methods, &subclass->methods);
        subclass->initializer = AS_CLASS(superclass)->initializer;
        sp--;
        DISPATCH();
    }
    CASE(METHOD): {
        ObjString *name = READ_STRING();
        STORE();
        method_define(AS_CLASS(PEEK(1)), name, PEEK(0));
        sp--;
        DISPATCH();
    }

#ifndef COMPUTED_GOTO
    }
#endif

#undef READ_BYTE
#undef READ_SHORT
#undef READ_CONSTANT
#undef READ_STRING
#undef PUSH
#undef POP
#undef PEEK
#undef STORE
#undef LOAD_FRAME
#undef RUNTIME_ERROR
#undef BINARY_OP
#undef DISPATCH
#undef CASE
}

InterpretResult vm_interpret(const char *source, size_t length) {
    ObjFunction *function = compiler_compile(source, length);
    if (function == NULL) return INTERPRET_COMPILE_ERROR;

    vm_push(OBJ_VAL(function));
    ObjClosure *closure = closure_new(function);
    vm_pop();
    vm_push(OBJ_VAL(closure));
    if (!call(closure, 0)) return INTERPRET_RUNTIME_ERROR;
    return run();
}
