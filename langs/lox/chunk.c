/*
 * chunk.c -- growing a function's bytecode.  A chunk always belongs to a
 * Function object, so its blocks are charged to Function storage.
 */
#include "chunk.h"
#include "memory.h"
#include "vm.h"

void chunk_init(Chunk *chunk) {
    chunk->count = 0;
    chunk->capacity = 0;
    chunk->code = NULL;
    chunk->lines = NULL;
    value_array_init(&chunk->constants);
}

void chunk_free(Chunk *chunk) {
    FREE_ARRAY(uint8_t, chunk->code, chunk->capacity);
    FREE_ARRAY(int, chunk->lines, chunk->capacity);
    value_array_free(&chunk->constants);
    chunk_init(chunk);
}

void chunk_write(Chunk *chunk, uint8_t byte, int line) {
    if (chunk->capacity < chunk->count + 1) {
        int old = chunk->capacity;
        chunk->capacity = GROW_CAPACITY(old);
        chunk->code = GROW_ARRAY(uint8_t, chunk->code, old, chunk->capacity,
                                 TAG_STORAGE(OBJ_FUNCTION));
        chunk->lines = GROW_ARRAY(int, chunk->lines, old, chunk->capacity,
                                  TAG_STORAGE(OBJ_FUNCTION));
    }
    chunk->code[chunk->count] = byte;
    chunk->lines[chunk->count] = line;
    chunk->count++;
}

/* The value is pushed while the pool grows: growing may collect. */
int chunk_add_constant(Chunk *chunk, Value value) {
    vm_push(value);
    value_array_write(&chunk->constants, value, TAG_STORAGE(OBJ_FUNCTION));
    vm_pop();
    return chunk->constants.count - 1;
}
