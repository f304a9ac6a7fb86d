/*
 * chunk.h -- a function's bytecode: instructions, a line per byte (for
 * error traces and the tracer's locations) and the constant pool.
 */
#ifndef lox_chunk_h
#define lox_chunk_h

#include "value.h"

typedef enum {
    OP_CONSTANT,
    OP_NIL,
    OP_TRUE,
    OP_FALSE,
    OP_POP,
    OP_GET_LOCAL,
    OP_SET_LOCAL,
    OP_GET_GLOBAL,
    OP_DEFINE_GLOBAL,
    OP_SET_GLOBAL,
    OP_GET_UPVALUE,
    OP_SET_UPVALUE,
    OP_GET_PROPERTY,
    OP_SET_PROPERTY,
    OP_GET_SUPER,
    OP_GET_INDEX,
    OP_SET_INDEX,
    OP_EQUAL,
    OP_GREATER,
    OP_LESS,
    OP_ADD,
    OP_SUBTRACT,
    OP_MULTIPLY,
    OP_DIVIDE,
    OP_NOT,
    OP_NEGATE,
    OP_PRINT,
    OP_JUMP,
    OP_JUMP_IF_FALSE,
    OP_LOOP,
    OP_CALL,
    OP_INVOKE,
    OP_SUPER_INVOKE,
    OP_CLOSURE,
    OP_CLOSE_UPVALUE,
    OP_RETURN,
    OP_ARRAY,
    OP_CLASS,
    OP_INHERIT,
    OP_METHOD,
} OpCode;

typedef struct {
    int count;
    int capacity;
    uint8_t *code;
    int *lines;
    ValueArray constants;
    WITH_HOOKS(uint32_t code_tag; uint32_t lines_tag;)
    /* While tracing: where each instruction allocates (where.c). */
    WITH_HOOKS(struct WhereSite *sites;)
} Chunk;

void chunk_init(Chunk *chunk);
void chunk_free(Chunk *chunk);
void chunk_write(Chunk *chunk, uint8_t byte, int line);
/* The index of value in the constant pool, added unless an equal one is
 * there; -1 when the pool is full (a byte operand addresses UINT8_COUNT). */
int chunk_add_constant(Chunk *chunk, Value value);
/* The most stack slots a call of this code can use, its arguments and the
 * callee's slot included. */
int chunk_max_stack(Chunk *chunk, int arity);

#endif
