/*
 * calc.c -- a small stack calculator traced by libmemtracer through its
 * simple door, <memtracer/hooks.h>.  examples/embed/README.md walks through
 * it; "Step" marks the four steps of memtracer.h.
 */
#define _POSIX_C_SOURCE 200809L /* getdelim */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memtracer/hooks.h>

#define BLANKS " \t\n\v\f\r"
#define IS(name) (strcmp(w, name) == 0)
enum { STACK_MAX = 256, CALLS_MAX = 64 };
enum kind { ANY, NUMBER, STRING };
typedef struct string { size_t len; char *chars; } string;
typedef struct value { string *s; double number; } value; /* s NULL: number */

static struct {
    const char *file, *word;  /* the script, the token running, */
    mt_func func;             /* the word running and the line: where the */
    int line;                 /* guest is.  The rest is the VM's, untraced */
    struct token { const char *text; int line; } *tokens;
    struct word { const char *name; size_t body; mt_func func; } *words;
    size_t ntokens, nwords, depth;
    value stack[STACK_MAX];   /* a string's one owner is its slot */
    mt_type string_type, chars_type;
} vm;

/* Before the guest runs: one line on stderr, and exit(status). */
static _Noreturn void quit(int status, const char *what) {
    fprintf(stderr, "calc: %s\n", what);
    exit(status);
}

/* An error in the script ends the run.  exit() runs mt_finish: the report
 * says why the run ended, and shows what was not freed as live. */
static _Noreturn void fail(mt_exit_reason reason, const char *what) {
    fprintf(stderr, "calc: %s:%d: '%s' %s\n", vm.file, vm.line, vm.word, what);
    mt_exit_set(70, reason);
    exit(70);
}

/* Step 4, blocks: every guest block is obtained (old_size 0), resized or
 * freed (new_size 0) here, and reported with where the guest is.  The tracer
 * never reads a block: its address is a key, even after realloc. */
static void *reallocate(void *block, size_t old_size, size_t new_size,
                        mt_type type) {
    if (new_size == 0) {
        MT_HOOK_FREE(block, old_size);
        free(block);
        return NULL;
    }
    void *moved = realloc(block, new_size);
    if (moved == NULL) fail(MT_EXIT_OUT_OF_MEMORY, "ran out of memory");
    if (old_size == 0)
        MT_HOOK_ALLOC(moved, new_size, type, vm.func, vm.line);
    else
        MT_HOOK_RESIZE(block, old_size, moved, new_size, type, vm.func,
                       vm.line);
    return moved;
}

/* A string is two blocks: the object, and its characters and a NUL. */
static value string_make(const char *chars, size_t len) {
    string *s = reallocate(NULL, 0, sizeof(string), vm.string_type);
    s->chars = reallocate(NULL, 0, len + 1, vm.chars_type);
    s->len = len;
    memcpy(s->chars, chars, len);
    s->chars[len] = '\0';
    return (value){s, 0};
}

static void release(value v) {
    if (v.s == NULL) return;
    reallocate(v.s->chars, v.s->len + 1, 0, vm.chars_type);
    reallocate(v.s, sizeof(string), 0, vm.string_type);
}

static void push(value v) {
    if (vm.depth == STACK_MAX) fail(MT_EXIT_ERROR, "overflows the stack");
    vm.stack[vm.depth++] = v;
}

/* The top value, of the kind asked, or of ANY kind. */
static value pop(enum kind kind) {
    if (vm.depth == 0) fail(MT_EXIT_ERROR, "needs more values");
    value v = vm.stack[--vm.depth];
    if (kind != ANY && (kind == STRING) != (v.s != NULL))
        fail(MT_EXIT_ERROR, kind == STRING ? "takes strings" : "takes numbers");
    return v;
}

/* Cuts the source into tokens in place: a NUL ends each, over the blank or
 * quote after it.  A string keeps its opening quote; it ends at its closing
 * quote or at the end of its line. */
static void scan(char *c) {
    size_t most = strlen(c) / 2 + 1;  /* a token takes a byte and its end */
    vm.tokens = malloc(most * sizeof(struct token));
    vm.words = malloc(most * sizeof(struct word));
    if (vm.tokens == NULL || vm.words == NULL) quit(70, "out of memory");
    for (int line = 1; *c != '\0';) {
        if (*c == '#') {
            c += strcspn(c, "\n");
        } else if (strchr(BLANKS, *c) != NULL) {
            line += *c++ == '\n';
        } else {
            vm.tokens[vm.ntokens++] = (struct token){c, line};
            c += 1 + strcspn(c + 1, *c == '"' ? "\"\n" : BLANKS);
            line += *c == '\n';
            if (*c != '\0') *c++ = '\0';
        }
    }
}

/* Runs the tokens from next on: the script's, or a word's up to its ';'. */
static void run(size_t next, int depth) {
    while (next < vm.ntokens) {
        const char *w = vm.word = vm.tokens[next].text;
        vm.line = vm.tokens[next++].line;
        const struct word *called = NULL;  /* the latest definition wins */
        for (size_t i = 0; i < vm.nwords; i++)
            if (strcmp(vm.words[i].name, w) == 0) called = &vm.words[i];
        char *end;
        double number = strtod(w, &end);
        if (IS(":") && depth == 0) {
            size_t semi = next;
            while (semi < vm.ntokens && strcmp(vm.tokens[semi].text, ";") != 0)
                semi++;
            if (semi == next || semi == vm.ntokens)
                fail(MT_EXIT_ERROR, "needs a name and a ';'");
            /* Step 3, names: a word is a guest function, interned once */
            const char *name = vm.tokens[next].text;
            mt_func func = mt_func_intern(name, strlen(name), vm.file, vm.line);
            vm.words[vm.nwords++] = (struct word){name, next + 1, func};
            next = semi + 1;
        } else if (IS(";") && depth > 0) {
            return;
        } else if (called != NULL) {  /* Step 3, names: a call, a return */
            if (depth == CALLS_MAX) fail(MT_EXIT_ERROR, "calls too deep");
            mt_func caller = vm.func;
            vm.func = called->func;
            MT_HOOK_CALL(vm.func, vm.line);
            run(called->body, depth + 1);
            MT_HOOK_RETURN();
            vm.func = caller;
        } else if (w[0] == '"') {
            push(string_make(w + 1, strlen(w + 1)));
        } else if (end != w && *end == '\0') {
            push((value){NULL, number});
        } else if (strchr("+-*/", w[0]) != NULL && w[1] == '\0') {
            double y = pop(NUMBER).number, x = pop(NUMBER).number;
            push((value){NULL, IS("+") ? x + y : IS("-") ? x - y
                               : IS("*") ? x * y : x / y});
        } else if (IS("concat")) {  /* a's characters grow to hold b's */
            string *b = pop(STRING).s, *a = pop(STRING).s;
            a->chars = reallocate(a->chars, a->len + 1, a->len + b->len + 1,
                                  vm.chars_type);
            memcpy(a->chars + a->len, b->chars, b->len + 1);
            a->len += b->len;
            push((value){a, 0});
            release((value){b, 0});
        } else if (IS("dup")) {  /* a string's copy is a new string */
            value v = pop(ANY);
            push(v);
            push(v.s == NULL ? v : string_make(v.s->chars, v.s->len));
        } else if (IS("print") || IS("drop")) {
            value v = pop(ANY);
            if (IS("print") && v.s != NULL) puts(v.s->chars);
            else if (IS("print")) printf("%g\n", v.number);
            release(v);
        } else {
            fail(MT_EXIT_ERROR, "is not a word here");
        }
    }
}

/* The whole file, NUL-terminated; exit 66 if it cannot be read. */
static char *file_read(const char *path) {
    FILE *file = fopen(path, "r");
    char *text = NULL;
    size_t size = 0;
    if (file != NULL && getdelim(&text, &size, '\0', file) < 0 &&
        text != NULL)
        text[0] = '\0';  /* an empty file, or an error: ferror says */
    if (file == NULL || ferror(file) || text == NULL) {
        fprintf(stderr, "calc: cannot read '%s': %s\n", path, strerror(errno));
        exit(66);
    }
    fclose(file);
    return text;
}

int main(int argc, char **argv) {
    /* Step 1, options: the --memtracer words go to the tracer; a bad one is
     * one line on stderr and exit 64, nothing run. */
    static mt_options options;  /* static: reachable after an exit() */
    mt_options_init(&options);
    int arg = 1, parsed = MT_ARG_OK;
    while (arg < argc && argv[arg][0] == '-' &&
           (parsed = mt_options_parse(&options, argv[arg])) == MT_ARG_OK)
        arg++;
    if (parsed == MT_ARG_BAD) quit(64, mt_error());
    if (parsed != MT_ARG_OK || arg != argc - 1)
        quit(64, "usage: calc [--memtracer[.OPTION=VALUE]]... SCRIPT");
    char *source = file_read(vm.file = argv[arg]);
    scan(source);

    /* Step 2, start, before the guest runs.  It opens the report's file:
     * one that cannot be written stops calc here. */
    int status = options.enabled ? mt_start(&options, "calc", vm.file) : 0;
    if (status != 0) quit(status, mt_error());

    /* Step 3, names: each guest type, interned once.  The top level is a
     * function too, so that a call path ends at a line of the script. */
    vm.string_type = mt_type_intern("String", 6, MT_KIND_OBJECT);
    vm.chars_type = mt_type_intern("String chars", 12, MT_KIND_STORAGE);
    vm.func = mt_func_intern("<script>", 8, vm.file, 0);
    MT_HOOK_CALL(vm.func, 0);
    run(0, 0);
    MT_HOOK_RETURN();

    /* Step 2, finish: how the run ended, then the report.  What the stack
     * still holds is live at exit; it is freed after, untraced. */
    mt_exit_set(0, MT_EXIT_NORMAL);
    status = mt_finish() == 0 ? 0 : 74;
    while (vm.depth > 0) release(vm.stack[--vm.depth]);
    free(vm.words);
    free(vm.tokens);
    free(source);
    mt_options_free(&options);
    return status;
}
