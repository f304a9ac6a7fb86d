/*
 * chunk.c -- growing a function's bytecode, and measuring how much value
 * stack it needs.  A chunk always belongs to a Function object.
 */
#include "chunk.h"
#include "memory.h"
#include "object.h"
#include "vm.h"

void chunk_init(Chunk *chunk) {
    chunk->count = 0;
    chunk->capacity = 0;
    chunk->code = NULL;
    chunk->lines = NULL;
    WITH_HOOKS(chunk->code_tag = chunk->lines_tag = 0;)
    WITH_HOOKS(chunk->sites = NULL;)
    value_array_init(&chunk->constants, OWNER_FUNCTION_CONSTANTS);
}

void chunk_free(Chunk *chunk) {
    HeapSlot code = HEAP_SLOT_TAGGED(chunk->code_tag, OWNER_FUNCTION_CODE);
    HeapSlot lines = HEAP_SLOT_TAGGED(chunk->lines_tag, OWNER_FUNCTION_CODE);
    size_t unused = (size_t)(chunk->capacity - chunk->count);
    heap_unused(&code, unused);
    heap_unused(&lines, sizeof(int) * unused);
    FREE_ARRAY(uint8_t, chunk->code, chunk->capacity, &code);
    FREE_ARRAY(int, chunk->lines, chunk->capacity, &lines);
    value_array_free(&chunk->constants);
    WITH_HOOKS(where_sites_free(chunk->sites, chunk->count);
               chunk->sites = NULL;)
    chunk->count = chunk->capacity = 0;
    chunk->code = NULL;
    chunk->lines = NULL;
}

void chunk_write(Chunk *chunk, uint8_t byte, int line) {
    if (chunk->capacity < chunk->count + 1) {
        int old = chunk->capacity;
        chunk->capacity = GROW_CAPACITY(old);
        HeapSlot code = HEAP_SLOT_TAGGED(chunk->code_tag, OWNER_FUNCTION_CODE);
        HeapSlot lines =
            HEAP_SLOT_TAGGED(chunk->lines_tag, OWNER_FUNCTION_CODE);
        chunk->code = GROW_ARRAY(uint8_t, chunk->code, old, chunk->capacity,
                                 &code);
        chunk->lines = GROW_ARRAY(int, chunk->lines, old, chunk->capacity,
                                  &lines);
        HEAP_TAG_KEEP(chunk->code_tag, code);
        HEAP_TAG_KEEP(chunk->lines_tag, lines);
    }
    chunk->code[chunk->count] = byte;
    chunk->lines[chunk->count] = line;
    chunk->count++;
}

/* An equal constant already in the pool is reused, so a name or a number
 * used many times costs one slot.  Equal means the same bits: a string is
 * interned, so an equal one is the same object.  The value is pushed while
 * the pool grows: growing may collect. */
int chunk_add_constant(Chunk *chunk, Value value) {
    for (int i = 0; i < chunk->constants.count; i++)
        if (chunk->constants.values[i] == value) return i;
    if (chunk->constants.count == UINT8_COUNT) return -1;
    vm_push(value);
    value_array_write(&chunk->constants, value);
    vm_pop();
    return chunk->constants.count - 1;
}

/* How an instruction changes the stack depth, and its length in bytes. */
static int instruction_effect(Chunk *chunk, int offset, int *length) {
    uint8_t *code = &chunk->code[offset];
    *length = 1;
    switch ((OpCode)code[0]) {
    case OP_CONSTANT:
    case OP_GET_LOCAL:
    case OP_GET_GLOBAL:
    case OP_GET_UPVALUE:
    case OP_CLASS: *length = 2; return 1;
    case OP_SET_LOCAL:
    case OP_SET_GLOBAL:
    case OP_SET_UPVALUE:
    case OP_GET_PROPERTY: *length = 2; return 0;
    case OP_DEFINE_GLOBAL:
    case OP_SET_PROPERTY:
    case OP_GET_SUPER:
    case OP_METHOD: *length = 2; return -1;
    case OP_NIL:
    case OP_TRUE:
    case OP_FALSE: return 1;
    case OP_NOT:
    case OP_NEGATE: return 0;
    case OP_POP:
    case OP_EQUAL:
    case OP_GREATER:
    case OP_LESS:
    case OP_ADD:
    case OP_SUBTRACT:
    case OP_MULTIPLY:
    case OP_DIVIDE:
    case OP_PRINT:
    case OP_CLOSE_UPVALUE:
    case OP_GET_INDEX:
    case OP_INHERIT:
    case OP_RETURN: return -1;
    case OP_SET_INDEX: return -2;
    case OP_JUMP:
    case OP_JUMP_IF_FALSE:
    case OP_LOOP: *length = 3; return 0;
    case OP_CALL: *length = 2; return -code[1];
    case OP_ARRAY: *length = 2; return 1 - code[1];
    case OP_INVOKE: *length = 3; return -code[2];
    case OP_SUPER_INVOKE: *length = 3; return -code[2] - 1;
    case OP_CLOSURE: {
        ObjFunction *function =
            AS_FUNCTION(chunk->constants.values[code[1]]);
        *length = 2 + 2 * function->upvalue_count;
        return 1;
    }
    }
    return 0;
}

/* One pass in code order.  The compiler emits structured code: a jump
 * lands where the stack is as deep as at the jump, so the depth after an
 * unconditional jump or a return is the one a jump recorded for the next
 * instruction. */
int chunk_max_stack(Chunk *chunk, int arity) {
    HeapSlot landing_slot = HEAP_SLOT_NEW(OWNER_VM);
    int *landing = ALLOCATE(int, chunk->count + 1, &landing_slot);
    for (int i = 0; i <= chunk->count; i++) landing[i] = -1;
    int depth = arity + 1;
    int max = depth;
    bool after_transfer = false;
    for (int offset = 0; offset < chunk->count;) {
        if (after_transfer && landing[offset] >= 0) depth = landing[offset];
        int length;
        depth += instruction_effect(chunk, offset, &length);
        if (depth > max) max = depth;
        OpCode op = (OpCode)chunk->code[offset];
        if (op == OP_JUMP || op == OP_JUMP_IF_FALSE) {
            uint8_t *operand = &chunk->code[offset + 1];
            int target = offset + 3 + ((operand[0] << 8) | operand[1]);
            if (target <= chunk->count) landing[target] = depth;
        }
        after_transfer = op == OP_JUMP || op == OP_LOOP || op == OP_RETURN;
        offset += length;
    }
    FREE_ARRAY(int, landing, chunk->count + 1, &landing_slot);
    return max;
}
