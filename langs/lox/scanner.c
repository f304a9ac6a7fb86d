/*
 * scanner.c -- the lexer.  It keeps a cursor into the source and hands out
 * tokens that point into it, so scanning allocates nothing.
 */
#include <stdbool.h>
#include <string.h>

#include "scanner.h"

/* The source is length bytes followed by a NUL, so that looking one byte
 * ahead at the end reads '\0'; a NUL inside it is an ordinary character
 * (and not a valid one). */
typedef struct {
    const char *start;
    const char *current;
    const char *end;
    int line;
} Scanner;

static Scanner scanner;

void scanner_init(const char *source, size_t length) {
    scanner.start = source;
    scanner.current = source;
    scanner.end = source + length;
    scanner.line = 1;
}

static bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool at_end(void) { return scanner.current == scanner.end; }

static char advance(void) { return *scanner.current++; }

static char peek(void) { return *scanner.current; }

static char peek_next(void) {
    if (at_end()) return '\0';
    return scanner.current[1];
}

static bool match(char expected) {
    if (at_end() || *scanner.current != expected) return false;
    scanner.current++;
    return true;
}

static Token token_make(TokenType type) {
    Token token;
    token.type = type;
    token.start = scanner.start;
    token.length = (int)(scanner.current - scanner.start);
    token.line = scanner.line;
    return token;
}

static Token token_error(const char *message) {
    Token token;
    token.type = TOKEN_ERROR;
    token.start = message;
    token.length = (int)strlen(message);
    token.line = scanner.line;
    return token;
}

static void whitespace_skip(void) {
    for (;;) {
        switch (peek()) {
        case ' ':
        case '\r':
        case '\t': advance(); break;
        case '\n':
            scanner.line++;
            advance();
            break;
        case '/':
            if (peek_next() != '/') return;
            while (peek() != '\n' && !at_end()) advance();
            break;
        default: return;
        }
    }
}

static Token identifier(void) {
    while (is_alpha(peek()) || is_digit(peek())) advance();
    size_t length = (size_t)(scanner.current - scanner.start);
    const struct Keyword *keyword = keyword_find(scanner.start, length);
    return token_make(keyword ? keyword->type : TOKEN_IDENTIFIER);
}

static Token number(void) {
    while (is_digit(peek())) advance();
    if (peek() == '.' && is_digit(peek_next())) {
        advance();
        while (is_digit(peek())) advance();
    }
    return token_make(TOKEN_NUMBER);
}

static Token string(void) {
    while (peek() != '"' && !at_end()) {
        if (peek() == '\n') scanner.line++;
        advance();
    }
    if (at_end()) return token_error("Unterminated string.");
    advance();
    return token_make(TOKEN_STRING);
}

Token scanner_next(void) {
    whitespace_skip();
    scanner.start = scanner.current;
    if (at_end()) return token_make(TOKEN_EOF);

    char c = advance();
    if (is_alpha(c)) return identifier();
    if (is_digit(c)) return number();

    switch (c) {
    case '(': return token_make(TOKEN_LEFT_PAREN);
    case ')': return token_make(TOKEN_RIGHT_PAREN);
    case '{': return token_make(TOKEN_LEFT_BRACE);
    case '}': return token_make(TOKEN_RIGHT_BRACE);
    case '[': return token_make(TOKEN_LEFT_BRACKET);
    case ']': return token_make(TOKEN_RIGHT_BRACKET);
    case ';': return token_make(TOKEN_SEMICOLON);
    case ',': return token_make(TOKEN_COMMA);
    case '.': return token_make(TOKEN_DOT);
    case '-': return token_make(TOKEN_MINUS);
    case '+': return token_make(TOKEN_PLUS);
    case '/': return token_make(TOKEN_SLASH);
    case '*': return token_make(TOKEN_STAR);
    case '!': return token_make(match('=') ? TOKEN_BANG_EQUAL : TOKEN_BANG);
    case '=':
        return token_make(match('=') ? TOKEN_EQUAL_EQUAL : TOKEN_EQUAL);
    case '<': return token_make(match('=') ? TOKEN_LESS_EQUAL : TOKEN_LESS);
    case '>':
        return token_make(match('=') ? TOKEN_GREATER_EQUAL : TOKEN_GREATER);
    case '"': return string();
    }
    return token_error("Unexpected character.");
}
