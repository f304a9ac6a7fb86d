/*
 * compiler.c -- a Pratt parser that emits bytecode as it parses, as clox.
 *
 * Errors are reported in clox's format and the parser then enters panic
 * mode, skipping to the next statement boundary so that one mistake gives
 * one message but later, independent mistakes are still reported.
 *
 * For the tracer, compiling a function body counts as a call to it: what
 * the compiler allocates for a function (its constants, its code) is
 * charged to that function at the line being compiled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "memory.h"
#include "scanner.h"
#include "vm.h"

/* The parser recurses on the C stack once per nested expression, block or
 * function; deeper nesting than this is a compile error, not a crash. */
#define NESTING_MAX 512

typedef struct {
    Token current;
    Token previous;
    bool had_error;
    bool panic_mode;
    int depth;
    bool too_deep; /* gave up: the rest of the source is skipped */
} Parser;

typedef enum {
    PREC_NONE,
    PREC_ASSIGNMENT, /* = */
    PREC_OR,         /* or */
    PREC_AND,        /* and */
    PREC_EQUALITY,   /* == != */
    PREC_COMPARISON, /* < > <= >= */
    PREC_TERM,       /* + - */
    PREC_FACTOR,     /* * / */
    PREC_UNARY,      /* ! - */
    PREC_CALL,       /* . () [] */
    PREC_PRIMARY
} Precedence;

typedef void (*ParseFn)(bool can_assign);

typedef struct {
    ParseFn prefix;
    ParseFn infix;
    Precedence precedence;
} ParseRule;

typedef struct {
    Token name;
    int depth; /* -1 while its initializer is compiled */
    bool is_captured;
} Local;

typedef struct {
    uint8_t index;
    bool is_local;
} Upvalue;

typedef enum {
    TYPE_FUNCTION,
    TYPE_INITIALIZER,
    TYPE_METHOD,
    TYPE_SCRIPT
} FunctionType;

typedef struct Compiler {
    struct Compiler *enclosing;
    ObjFunction *function;
    FunctionType type;
    Local locals[UINT8_COUNT];
    int local_count;
    Upvalue upvalues[UINT8_COUNT];
    int scope_depth;
} Compiler;

typedef struct ClassCompiler {
    struct ClassCompiler *enclosing;
    ObjString *name;
    bool has_superclass;
} ClassCompiler;

static Parser parser;
static Compiler *current = NULL;
static ClassCompiler *current_class = NULL;

static Chunk *current_chunk(void) { return &current->function->chunk; }

int compiler_line(void) { return current ? parser.previous.line : 0; }

bool compiler_active(void) { return current != NULL; }

/* A function is the one being compiled only once it has its name: until
 * then, what the compiler allocates for it (the function object, the
 * name) belongs to the function that encloses it. */
ObjFunction *compiler_function(void) {
    for (Compiler *c = current; c != NULL; c = c->enclosing) {
        if (c->function != NULL &&
            (c->type == TYPE_SCRIPT || c->function->name != NULL))
            return c->function;
    }
    return NULL;
}

/* ------------------------------------------------------------- errors */

static void error_at(Token *token, const char *message) {
    if (parser.panic_mode || parser.too_deep) return;
    parser.panic_mode = true;
    fprintf(stderr, "[line %d] Error", token->line);
    if (token->type == TOKEN_EOF)
        fprintf(stderr, " at end");
    else if (token->type != TOKEN_ERROR)
        fprintf(stderr, " at '%.*s'", token->length, token->start);
    fprintf(stderr, ": %s\n", message);
    parser.had_error = true;
}

static void error(const char *message) { error_at(&parser.previous, message); }

static void error_at_current(const char *message) {
    error_at(&parser.current, message);
}

/* ------------------------------------------------------------- tokens */

static void advance(void) {
    parser.previous = parser.current;
    for (;;) {
        parser.current = scanner_next();
        if (parser.current.type != TOKEN_ERROR) break;
        error_at_current(parser.current.start);
    }
}

static void consume(TokenType type, const char *message) {
    if (parser.current.type == type) {
        advance();
        return;
    }
    error_at_current(message);
}

static bool check(TokenType type) { return parser.current.type == type; }

static bool match(TokenType type) {
    if (!check(type)) return false;
    advance();
    return true;
}

/* Too deep to recurse further: one error, and the rest of the source is
 * skipped, since nothing after it can be parsed in context. */
static void nesting_abandon(void) {
    error_at_current("Code nested too deeply.");
    parser.too_deep = true;
    while (parser.current.type != TOKEN_EOF) advance();
}

/* ------------------------------------------------------------- emitting */

static void emit_byte(uint8_t byte) {
    chunk_write(current_chunk(), byte, parser.previous.line);
}

static void emit_bytes(uint8_t byte1, uint8_t byte2) {
    emit_byte(byte1);
    emit_byte(byte2);
}

static void emit_loop(int loop_start) {
    emit_byte(OP_LOOP);
    int offset = current_chunk()->count - loop_start + 2;
    if (offset > UINT16_MAX) error("Loop body too large.");
    emit_byte((offset >> 8) & 0xff);
    emit_byte(offset & 0xff);
}

static int emit_jump(uint8_t instruction) {
    emit_byte(instruction);
    emit_byte(0xff);
    emit_byte(0xff);
    return current_chunk()->count - 2;
}

static void emit_return(void) {
    if (current->type == TYPE_INITIALIZER)
        emit_bytes(OP_GET_LOCAL, 0);
    else
        emit_byte(OP_NIL);
    emit_byte(OP_RETURN);
}

static uint8_t make_constant(Value value) {
    int constant = chunk_add_constant(current_chunk(), value);
    if (constant < 0) {
        error("Too many constants in one chunk.");
        return 0;
    }
    return (uint8_t)constant;
}

static void emit_constant(Value value) {
    emit_bytes(OP_CONSTANT, make_constant(value));
}

static void patch_jump(int offset) {
    int jump = current_chunk()->count - offset - 2;
    if (jump > UINT16_MAX) error("Too much code to jump over.");
    current_chunk()->code[offset] = (jump >> 8) & 0xff;
    current_chunk()->code[offset + 1] = jump & 0xff;
}

/* ------------------------------------------------------------ compilers */

static void compiler_init(Compiler *compiler, FunctionType type) {
    compiler->enclosing = current;
    compiler->function = NULL;
    compiler->type = type;
    compiler->local_count = 0;
    compiler->scope_depth = 0;
    current = compiler;
    int line = type == TYPE_SCRIPT ? 1 : parser.previous.line;
    compiler->function = function_new(line);
    if (type != TYPE_SCRIPT) {
        compiler->function->name =
            string_copy(parser.previous.start, parser.previous.length);
    }
    if (type == TYPE_METHOD || type == TYPE_INITIALIZER)
        compiler->function->class_name = current_class->name;

    /* Slot 0 holds the callee; in methods it is `this`. */
    Local *local = &current->locals[current->local_count++];
    local->depth = 0;
    local->is_captured = false;
    if (type != TYPE_FUNCTION) {
        local->name.start = "this";
        local->name.length = 4;
    } else {
        local->name.start = "";
        local->name.length = 0;
    }
}

static ObjFunction *compiler_end(void) {
    emit_return();
    ObjFunction *function = current->function;
    if (!parser.had_error)
        function->max_stack =
            chunk_max_stack(&function->chunk, function->arity);
    current = current->enclosing;
    return function;
}

static void scope_begin(void) { current->scope_depth++; }

static void scope_end(void) {
    current->scope_depth--;
    while (current->local_count > 0 &&
           current->locals[current->local_count - 1].depth >
               current->scope_depth) {
        if (current->locals[current->local_count - 1].is_captured)
            emit_byte(OP_CLOSE_UPVALUE);
        else
            emit_byte(OP_POP);
        current->local_count--;
    }
}

/* ------------------------------------------------------------ variables */

static void expression(void);
static void statement(void);
static void declaration(void);
static ParseRule *rule_get(TokenType type);
static void parse_precedence(Precedence precedence);

static uint8_t identifier_constant(Token *name) {
    return make_constant(OBJ_VAL(string_copy(name->start, name->length)));
}

static bool identifiers_equal(Token *a, Token *b) {
    return a->length == b->length &&
           memcmp(a->start, b->start, (size_t)a->length) == 0;
}

static int local_resolve(Compiler *compiler, Token *name) {
    for (int i = compiler->local_count - 1; i >= 0; i--) {
        Local *local = &compiler->locals[i];
        if (identifiers_equal(name, &local->name)) {
            if (local->depth == -1)
                error("Can't read local variable in its own initializer.");
            return i;
        }
    }
    return -1;
}

static int upvalue_add(Compiler *compiler, uint8_t index, bool is_local) {
    int count = compiler->function->upvalue_count;
    for (int i = 0; i < count; i++) {
        Upvalue *upvalue = &compiler->upvalues[i];
        if (upvalue->index == index && upvalue->is_local == is_local)
            return i;
    }
    if (count == UINT8_COUNT) {
        error("Too many closure variables in function.");
        return 0;
    }
    compiler->upvalues[count].is_local = is_local;
    compiler->upvalues[count].index = index;
    return compiler->function->upvalue_count++;
}

static int upvalue_resolve(Compiler *compiler, Token *name) {
    if (compiler->enclosing == NULL) return -1;
    int local = local_resolve(compiler->enclosing, name);
    if (local != -1) {
        compiler->enclosing->locals[local].is_captured = true;
        return upvalue_add(compiler, (uint8_t)local, true);
    }
    int upvalue = upvalue_resolve(compiler->enclosing, name);
    if (upvalue != -1) return upvalue_add(compiler, (uint8_t)upvalue, false);
    return -1;
}

static void local_add(Token name) {
    if (current->local_count == UINT8_COUNT) {
        error("Too many local variables in function.");
        return;
    }
    Local *local = &current->locals[current->local_count++];
    local->name = name;
    local->depth = -1;
    local->is_captured = false;
}

static void variable_declare(void) {
    if (current->scope_depth == 0) return;
    Token *name = &parser.previous;
    for (int i = current->local_count - 1; i >= 0; i--) {
        Local *local = &current->locals[i];
        if (local->depth != -1 && local->depth < current->scope_depth) break;
        if (identifiers_equal(name, &local->name))
            error("Already a variable with this name in this scope.");
    }
    local_add(*name);
}

static uint8_t variable_parse(const char *message) {
    consume(TOKEN_IDENTIFIER, message);
    variable_declare();
    if (current->scope_depth > 0) return 0;
    return identifier_constant(&parser.previous);
}

static void mark_initialized(void) {
    if (current->scope_depth == 0) return;
    current->locals[current->local_count - 1].depth = current->scope_depth;
}

static void variable_define(uint8_t global) {
    if (current->scope_depth > 0) {
        mark_initialized();
        return;
    }
    emit_bytes(OP_DEFINE_GLOBAL, global);
}

static void named_variable(Token name, bool can_assign) {
    uint8_t get_op, set_op;
    int arg = local_resolve(current, &name);
    if (arg != -1) {
        get_op = OP_GET_LOCAL;
        set_op = OP_SET_LOCAL;
    } else if ((arg = upvalue_resolve(current, &name)) != -1) {
        get_op = OP_GET_UPVALUE;
        set_op = OP_SET_UPVALUE;
    } else {
        arg = identifier_constant(&name);
        get_op = OP_GET_GLOBAL;
        set_op = OP_SET_GLOBAL;
    }
    if (can_assign && match(TOKEN_EQUAL)) {
        expression();
        emit_bytes(set_op, (uint8_t)arg);
    } else {
        emit_bytes(get_op, (uint8_t)arg);
    }
}

static Token synthetic_token(const char *text) {
    Token token;
    token.start = text;
    token.length = (int)strlen(text);
    return token;
}

/* ---------------------------------------------------------- expressions */

static uint8_t argument_list(void) {
    uint8_t count = 0;
    if (!check(TOKEN_RIGHT_PAREN)) {
        do {
            expression();
            if (count == 255) error("Can't have more than 255 arguments.");
            count++;
        } while (match(TOKEN_COMMA));
    }
    consume(TOKEN_RIGHT_PAREN, "Expect ')' after arguments.");
    return count;
}

static void and_(bool can_assign) {
    (void)can_assign;
    int end_jump = emit_jump(OP_JUMP_IF_FALSE);
    emit_byte(OP_POP);
    parse_precedence(PREC_AND);
    patch_jump(end_jump);
}

static void or_(bool can_assign) {
    (void)can_assign;
    int else_jump = emit_jump(OP_JUMP_IF_FALSE);
    int end_jump = emit_jump(OP_JUMP);
    patch_jump(else_jump);
    emit_byte(OP_POP);
    parse_precedence(PREC_OR);
    patch_jump(end_jump);
}

static void binary(bool can_assign) {
    (void)can_assign;
    TokenType operator= parser.previous.type;
    ParseRule *rule = rule_get(operator);
    parse_precedence((Precedence)(rule->precedence + 1));
    switch (operator) {
    case TOKEN_BANG_EQUAL: emit_bytes(OP_EQUAL, OP_NOT); break;
    case TOKEN_EQUAL_EQUAL: emit_byte(OP_EQUAL); break;
    case TOKEN_GREATER: emit_byte(OP_GREATER); break;
    case TOKEN_GREATER_EQUAL: emit_bytes(OP_LESS, OP_NOT); break;
    case TOKEN_LESS: emit_byte(OP_LESS); break;
    case TOKEN_LESS_EQUAL: emit_bytes(OP_GREATER, OP_NOT); break;
    case TOKEN_PLUS: emit_byte(OP_ADD); break;
    case TOKEN_MINUS: emit_byte(OP_SUBTRACT); break;
    case TOKEN_STAR: emit_byte(OP_MULTIPLY); break;
    case TOKEN_SLASH: emit_byte(OP_DIVIDE); break;
    default: return;
    }
}

static void call(bool can_assign) {
    (void)can_assign;
    uint8_t count = argument_list();
    emit_bytes(OP_CALL, count);
}

static void dot(bool can_assign) {
    consume(TOKEN_IDENTIFIER, "Expect property name after '.'.");
    uint8_t name = identifier_constant(&parser.previous);
    if (can_assign && match(TOKEN_EQUAL)) {
        expression();
        emit_bytes(OP_SET_PROPERTY, name);
    } else if (match(TOKEN_LEFT_PAREN)) {
        uint8_t count = argument_list();
        emit_bytes(OP_INVOKE, name);
        emit_byte(count);
    } else {
        emit_bytes(OP_GET_PROPERTY, name);
    }
}

/* a[i] and a[i] = v, assignable wherever a variable or field is. */
static void subscript(bool can_assign) {
    expression();
    consume(TOKEN_RIGHT_BRACKET, "Expect ']' after index.");
    if (can_assign && match(TOKEN_EQUAL)) {
        expression();
        emit_byte(OP_SET_INDEX);
    } else {
        emit_byte(OP_GET_INDEX);
    }
}

/* [a, b, c], with an optional trailing comma. */
static void array(bool can_assign) {
    (void)can_assign;
    int count = 0;
    while (!check(TOKEN_RIGHT_BRACKET) && !check(TOKEN_EOF)) {
        expression();
        if (count == 255)
            error("Can't have more than 255 elements in an array literal.");
        count++;
        if (!match(TOKEN_COMMA)) break;
    }
    consume(TOKEN_RIGHT_BRACKET, "Expect ']' after array elements.");
    emit_bytes(OP_ARRAY, (uint8_t)count);
}

static void literal(bool can_assign) {
    (void)can_assign;
    switch (parser.previous.type) {
    case TOKEN_FALSE: emit_byte(OP_FALSE); break;
    case TOKEN_NIL: emit_byte(OP_NIL); break;
    case TOKEN_TRUE: emit_byte(OP_TRUE); break;
    default: return;
    }
}

static void grouping(bool can_assign) {
    (void)can_assign;
    expression();
    consume(TOKEN_RIGHT_PAREN, "Expect ')' after expression.");
}

static void number(bool can_assign) {
    (void)can_assign;
    double value = strtod(parser.previous.start, NULL);
    emit_constant(NUMBER_VAL(value));
}

static void string(bool can_assign) {
    (void)can_assign;
    emit_constant(OBJ_VAL(
        string_copy(parser.previous.start + 1, parser.previous.length - 2)));
}

static void variable(bool can_assign) {
    named_variable(parser.previous, can_assign);
}

static void super_(bool can_assign) {
    (void)can_assign;
    if (current_class == NULL)
        error("Can't use 'super' outside of a class.");
    else if (!current_class->has_superclass)
        error("Can't use 'super' in a class with no superclass.");

    consume(TOKEN_DOT, "Expect '.' after 'super'.");
    consume(TOKEN_IDENTIFIER, "Expect superclass method name.");
    uint8_t name = identifier_constant(&parser.previous);

    named_variable(synthetic_token("this"), false);
    if (match(TOKEN_LEFT_PAREN)) {
        uint8_t count = argument_list();
        named_variable(synthetic_token("super"), false);
        emit_bytes(OP_SUPER_INVOKE, name);
        emit_byte(count);
    } else {
        named_variable(synthetic_token("super"), false);
        emit_bytes(OP_GET_SUPER, name);
    }
}

static void this_(bool can_assign) {
    (void)can_assign;
    if (current_class == NULL) {
        error("Can't use 'this' outside of a class.");
        return;
    }
    variable(false);
}

static void unary(bool can_assign) {
    (void)can_assign;
    TokenType operator= parser.previous.type;
    parse_precedence(PREC_UNARY);
    switch (operator) {
    case TOKEN_BANG: emit_byte(OP_NOT); break;
    case TOKEN_MINUS: emit_byte(OP_NEGATE); break;
    default: return;
    }
}

static ParseRule rules[] = {
    [TOKEN_LEFT_PAREN] = {grouping, call, PREC_CALL},
    [TOKEN_RIGHT_PAREN] = {NULL, NULL, PREC_NONE},
    [TOKEN_LEFT_BRACE] = {NULL, NULL, PREC_NONE},
    [TOKEN_RIGHT_BRACE] = {NULL, NULL, PREC_NONE},
    [TOKEN_LEFT_BRACKET] = {array, subscript, PREC_CALL},
    [TOKEN_RIGHT_BRACKET] = {NULL, NULL, PREC_NONE},
    [TOKEN_COMMA] = {NULL, NULL, PREC_NONE},
    [TOKEN_DOT] = {NULL, dot, PREC_CALL},
    [TOKEN_MINUS] = {unary, binary, PREC_TERM},
    [TOKEN_PLUS] = {NULL, binary, PREC_TERM},
    [TOKEN_SEMICOLON] = {NULL, NULL, PREC_NONE},
    [TOKEN_SLASH] = {NULL, binary, PREC_FACTOR},
    [TOKEN_STAR] = {NULL, binary, PREC_FACTOR},
    [TOKEN_BANG] = {unary, NULL, PREC_NONE},
    [TOKEN_BANG_EQUAL] = {NULL, binary, PREC_EQUALITY},
    [TOKEN_EQUAL] = {NULL, NULL, PREC_NONE},
    [TOKEN_EQUAL_EQUAL] = {NULL, binary, PREC_EQUALITY},
    [TOKEN_GREATER] = {NULL, binary, PREC_COMPARISON},
    [TOKEN_GREATER_EQUAL] = {NULL, binary, PREC_COMPARISON},
    [TOKEN_LESS] = {NULL, binary, PREC_COMPARISON},
    [TOKEN_LESS_EQUAL] = {NULL, binary, PREC_COMPARISON},
    [TOKEN_IDENTIFIER] = {variable, NULL, PREC_NONE},
    [TOKEN_STRING] = {string, NULL, PREC_NONE},
    [TOKEN_NUMBER] = {number, NULL, PREC_NONE},
    [TOKEN_AND] = {NULL, and_, PREC_AND},
    [TOKEN_CLASS] = {NULL, NULL, PREC_NONE},
    [TOKEN_ELSE] = {NULL, NULL, PREC_NONE},
    [TOKEN_FALSE] = {literal, NULL, PREC_NONE},
    [TOKEN_FOR] = {NULL, NULL, PREC_NONE},
    [TOKEN_FUN] = {NULL, NULL, PREC_NONE},
    [TOKEN_IF] = {NULL, NULL, PREC_NONE},
    [TOKEN_NIL] = {literal, NULL, PREC_NONE},
    [TOKEN_OR] = {NULL, or_, PREC_OR},
    [TOKEN_PRINT] = {NULL, NULL, PREC_NONE},
    [TOKEN_RETURN] = {NULL, NULL, PREC_NONE},
    [TOKEN_SUPER] = {super_, NULL, PREC_NONE},
    [TOKEN_THIS] = {this_, NULL, PREC_NONE},
    [TOKEN_TRUE] = {literal, NULL, PREC_NONE},
    [TOKEN_VAR] = {NULL, NULL, PREC_NONE},
    [TOKEN_WHILE] = {NULL, NULL, PREC_NONE},
    [TOKEN_ERROR] = {NULL, NULL, PREC_NONE},
    [TOKEN_EOF] = {NULL, NULL, PREC_NONE},
};

static ParseRule *rule_get(TokenType type) { return &rules[type]; }

static void parse_precedence(Precedence precedence) {
    if (parser.depth == NESTING_MAX) {
        nesting_abandon();
        return;
    }
    parser.depth++;
    advance();
    ParseFn prefix_rule = rule_get(parser.previous.type)->prefix;
    if (prefix_rule == NULL) {
        error("Expect expression.");
        parser.depth--;
        return;
    }
    bool can_assign = precedence <= PREC_ASSIGNMENT;
    prefix_rule(can_assign);

    while (precedence <= rule_get(parser.current.type)->precedence) {
        advance();
        ParseFn infix_rule = rule_get(parser.previous.type)->infix;
        infix_rule(can_assign);
    }
    if (can_assign && match(TOKEN_EQUAL)) error("Invalid assignment target.");
    parser.depth--;
}

static void expression(void) { parse_precedence(PREC_ASSIGNMENT); }

/* ----------------------------------------------------------- statements */

static void block(void) {
    while (!check(TOKEN_RIGHT_BRACE) && !check(TOKEN_EOF)) declaration();
    consume(TOKEN_RIGHT_BRACE, "Expect '}' after block.");
}

static void function(FunctionType type) {
    Compiler compiler;
    compiler_init(&compiler, type);
    scope_begin();

    consume(TOKEN_LEFT_PAREN, "Expect '(' after function name.");
    if (!check(TOKEN_RIGHT_PAREN)) {
        do {
            current->function->arity++;
            if (current->function->arity > 255)
                error_at_current("Can't have more than 255 parameters.");
            uint8_t constant = variable_parse("Expect parameter name.");
            variable_define(constant);
        } while (match(TOKEN_COMMA));
    }
    consume(TOKEN_RIGHT_PAREN, "Expect ')' after parameters.");
    consume(TOKEN_LEFT_BRACE, "Expect '{' before function body.");
    block();

    ObjFunction *function = compiler_end();
    emit_bytes(OP_CLOSURE, make_constant(OBJ_VAL(function)));
    for (int i = 0; i < function->upvalue_count; i++) {
        emit_byte(compiler.upvalues[i].is_local ? 1 : 0);
        emit_byte(compiler.upvalues[i].index);
    }
}

static void method(void) {
    consume(TOKEN_IDENTIFIER, "Expect method name.");
    uint8_t constant = identifier_constant(&parser.previous);
    FunctionType type = TYPE_METHOD;
    if (parser.previous.length == 4 &&
        memcmp(parser.previous.start, "init", 4) == 0)
        type = TYPE_INITIALIZER;
    function(type);
    emit_bytes(OP_METHOD, constant);
}

static void class_declaration(void) {
    consume(TOKEN_IDENTIFIER, "Expect class name.");
    Token class_name = parser.previous;
    uint8_t name_constant = identifier_constant(&parser.previous);
    variable_declare();

    emit_bytes(OP_CLASS, name_constant);
    variable_define(name_constant);

    ClassCompiler class_compiler;
    class_compiler.has_superclass = false;
    class_compiler.name = NULL;
    class_compiler.enclosing = current_class;
    current_class = &class_compiler;
    class_compiler.name = string_copy(class_name.start, class_name.length);

    if (match(TOKEN_LESS)) {
        consume(TOKEN_IDENTIFIER, "Expect superclass name.");
        variable(false);
        if (identifiers_equal(&class_name, &parser.previous))
            error("A class can't inherit from itself.");
        scope_begin();
        local_add(synthetic_token("super"));
        variable_define(0);
        named_variable(class_name, false);
        emit_byte(OP_INHERIT);
        class_compiler.has_superclass = true;
    }

    named_variable(class_name, false);
    consume(TOKEN_LEFT_BRACE, "Expect '{' before class body.");
    while (!check(TOKEN_RIGHT_BRACE) && !check(TOKEN_EOF)) method();
    consume(TOKEN_RIGHT_BRACE, "Expect '}' after class body.");
    emit_byte(OP_POP);

    if (class_compiler.has_superclass) scope_end();
    current_class = current_class->enclosing;
}

static void fun_declaration(void) {
    uint8_t global = variable_parse("Expect function name.");
    mark_initialized();
    function(TYPE_FUNCTION);
    variable_define(global);
}

static void var_declaration(void) {
    uint8_t global = variable_parse("Expect variable name.");
    if (match(TOKEN_EQUAL))
        expression();
    else
        emit_byte(OP_NIL);
    consume(TOKEN_SEMICOLON, "Expect ';' after variable declaration.");
    variable_define(global);
}

static void expression_statement(void) {
    expression();
    consume(TOKEN_SEMICOLON, "Expect ';' after expression.");
    emit_byte(OP_POP);
}

static void for_statement(void) {
    scope_begin();
    consume(TOKEN_LEFT_PAREN, "Expect '(' after 'for'.");
    if (match(TOKEN_SEMICOLON)) {
        /* No initializer. */
    } else if (match(TOKEN_VAR)) {
        var_declaration();
    } else {
        expression_statement();
    }

    int loop_start = current_chunk()->count;
    int exit_jump = -1;
    if (!match(TOKEN_SEMICOLON)) {
        expression();
        consume(TOKEN_SEMICOLON, "Expect ';' after loop condition.");
        exit_jump = emit_jump(OP_JUMP_IF_FALSE);
        emit_byte(OP_POP);
    }

    if (!match(TOKEN_RIGHT_PAREN)) {
        int body_jump = emit_jump(OP_JUMP);
        int increment_start = current_chunk()->count;
        expression();
        emit_byte(OP_POP);
        consume(TOKEN_RIGHT_PAREN, "Expect ')' after for clauses.");
        emit_loop(loop_start);
        loop_start = increment_start;
        patch_jump(body_jump);
    }

    statement();
    emit_loop(loop_start);
    if (exit_jump != -1) {
        patch_jump(exit_jump);
        emit_byte(OP_POP);
    }
    scope_end();
}

static void if_statement(void) {
    consume(TOKEN_LEFT_PAREN, "Expect '(' after 'if'.");
    expression();
    consume(TOKEN_RIGHT_PAREN, "Expect ')' after condition.");

    int then_jump = emit_jump(OP_JUMP_IF_FALSE);
    emit_byte(OP_POP);
    statement();
    int else_jump = emit_jump(OP_JUMP);
    patch_jump(then_jump);
    emit_byte(OP_POP);
    if (match(TOKEN_ELSE)) statement();
    patch_jump(else_jump);
}

static void print_statement(void) {
    expression();
    consume(TOKEN_SEMICOLON, "Expect ';' after value.");
    emit_byte(OP_PRINT);
}

static void return_statement(void) {
    if (current->type == TYPE_SCRIPT)
        error("Can't return from top-level code.");
    if (match(TOKEN_SEMICOLON)) {
        emit_return();
        return;
    }
    if (current->type == TYPE_INITIALIZER)
        error("Can't return a value from an initializer.");
    expression();
    consume(TOKEN_SEMICOLON, "Expect ';' after return value.");
    emit_byte(OP_RETURN);
}

static void while_statement(void) {
    int loop_start = current_chunk()->count;
    consume(TOKEN_LEFT_PAREN, "Expect '(' after 'while'.");
    expression();
    consume(TOKEN_RIGHT_PAREN, "Expect ')' after condition.");

    int exit_jump = emit_jump(OP_JUMP_IF_FALSE);
    emit_byte(OP_POP);
    statement();
    emit_loop(loop_start);
    patch_jump(exit_jump);
    emit_byte(OP_POP);
}

static void synchronize(void) {
    parser.panic_mode = false;
    while (parser.current.type != TOKEN_EOF) {
        if (parser.previous.type == TOKEN_SEMICOLON) return;
        switch (parser.current.type) {
        case TOKEN_CLASS:
        case TOKEN_FUN:
        case TOKEN_VAR:
        case TOKEN_FOR:
        case TOKEN_IF:
        case TOKEN_WHILE:
        case TOKEN_PRINT:
        case TOKEN_RETURN: return;
        default: break;
        }
        advance();
    }
}

static void declaration(void) {
    if (parser.depth == NESTING_MAX) {
        nesting_abandon();
        return;
    }
    parser.depth++;
    if (match(TOKEN_CLASS))
        class_declaration();
    else if (match(TOKEN_FUN))
        fun_declaration();
    else if (match(TOKEN_VAR))
        var_declaration();
    else
        statement();
    if (parser.panic_mode) synchronize();
    parser.depth--;
}

static void statement(void) {
    if (match(TOKEN_PRINT)) {
        print_statement();
    } else if (match(TOKEN_FOR)) {
        for_statement();
    } else if (match(TOKEN_IF)) {
        if_statement();
    } else if (match(TOKEN_RETURN)) {
        return_statement();
    } else if (match(TOKEN_WHILE)) {
        while_statement();
    } else if (match(TOKEN_LEFT_BRACE)) {
        scope_begin();
        block();
        scope_end();
    } else {
        expression_statement();
    }
}

ObjFunction *compiler_compile(const char *source, size_t length) {
    scanner_init(source, length);
    parser.had_error = false;
    parser.panic_mode = false;
    parser.depth = 0;
    parser.too_deep = false;
    parser.previous.line = 1;
    Compiler compiler;
    compiler_init(&compiler, TYPE_SCRIPT);

    advance();
    while (!match(TOKEN_EOF)) declaration();

    ObjFunction *function = compiler_end();
    return parser.had_error ? NULL : function;
}

void compiler_mark_roots(void) {
    for (Compiler *compiler = current; compiler != NULL;
         compiler = compiler->enclosing)
        gc_mark_object((Obj *)compiler->function);
    for (ClassCompiler *klass = current_class; klass != NULL;
         klass = klass->enclosing)
        gc_mark_object((Obj *)klass->name);
}
