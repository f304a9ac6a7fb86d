/*
 * calc.c -- a small stack calculator traced by libmemtracer through its
 * simple door, <memtracer/hooks.h>: numbers, "strings", lists [ ... ],
 * + - * / concat dup drop swap len print, words : name ... ; and # comments.
 * examples/embed/README.md walks through it; "Step" marks the four steps.
 */
#define _POSIX_C_SOURCE 200809L /* getdelim */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memtracer/hooks.h>

#define BLANKS " \t\n\v\f\r"
enum { STACK_MAX = 256, MARKS_MAX = 64, CALLS_MAX = 64 };
typedef struct object { enum { STRING, LIST } kind; unsigned refs; } object;
typedef struct value {
    enum { NUMBER, OBJECT } kind;
    union { double number; object *obj; };
} value;
typedef struct string { object obj; size_t len; char chars[]; } string;
typedef struct list { object obj; size_t count, capacity; value *items; } list;
typedef struct token { const char *text; int line; } token;
typedef struct word { const char *name; size_t body; mt_func func; } word;
#define NUMBER_VAL(n) ((value){NUMBER, .number = (n)})
#define OBJECT_VAL(o) ((value){OBJECT, .obj = (o)})

static struct {
    const char *file, *word;  /* the script, and the token running */
    char *source;             /* source, tokens, words: the VM's memory, */
    token *tokens;            /* not the guest's, so never reported */
    word *words;
    size_t ntokens, nwords, depth, nmarks, marks[MARKS_MAX];
    value stack[STACK_MAX];
    mt_func func;             /* where the guest is: the word running */
    int line;                 /* and the line */
    mt_type string_type, list_type, items_type;
} vm;

/* An error ends the run.  exit() runs mt_finish: the report is written,
 * says why the run ended, and shows what was not freed as live. */
static _Noreturn void fail(mt_exit_reason reason, const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "calc: %s:%d: ", vm.file, vm.line);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
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
    if (moved == NULL) fail(MT_EXIT_OUT_OF_MEMORY, "out of memory");
    if (old_size == 0)
        MT_HOOK_ALLOC(moved, new_size, type, vm.func, vm.line);
    else
        MT_HOOK_RESIZE(block, old_size, moved, new_size, type, vm.func,
                       vm.line);
    return moved;
}

/* Strings and lists never change once made, so they make no cycles: each
 * goes with its last reference, from the stack or a list. */
static void release(value v) {
    if (v.kind != OBJECT || --v.obj->refs > 0) return;
    if (v.obj->kind == STRING) {
        string *s = (string *)v.obj;
        reallocate(s, sizeof(string) + s->len + 1, 0, vm.string_type);
        return;
    }
    list *l = (list *)v.obj;
    for (size_t i = 0; i < l->count; i++) release(l->items[i]);
    reallocate(l->items, l->capacity * sizeof(value), 0, vm.items_type);
    reallocate(l, sizeof(list), 0, vm.list_type);
}

static void push(value v) {
    if (vm.depth == STACK_MAX) fail(MT_EXIT_ERROR, "stack overflow");
    vm.stack[vm.depth++] = v;
}

/* The top value, of the kind its letter says: n, s, l, or ? for any. */
static value pop(char kind) {
    if (vm.depth == 0) fail(MT_EXIT_ERROR, "'%s' needs more values", vm.word);
    value v = vm.stack[--vm.depth];
    const char *is = v.kind == NUMBER ? "number"
                     : v.obj->kind == STRING ? "string" : "list";
    if (kind != '?' && kind != is[0])
        fail(MT_EXIT_ERROR, "'%s' cannot take a %s", vm.word, is);
    return v;
}

static value string_make(const char *a, const char *b) {  /* a, then b */
    size_t len = strlen(a) + strlen(b);
    string *s = reallocate(NULL, 0, sizeof(string) + len + 1, vm.string_type);
    *s = (string){{STRING, 1}, len};
    strcat(strcpy(s->chars, a), b);
    return OBJECT_VAL(&s->obj);
}

/* ]: the values pushed since its [ move into a new list. */
static void list_close(void) {
    if (vm.nmarks == 0) fail(MT_EXIT_ERROR, "']' without '['");
    size_t from = vm.marks[--vm.nmarks];
    if (vm.depth < from) fail(MT_EXIT_ERROR, "']' after its '[' lost values");
    list *l = reallocate(NULL, 0, sizeof(list), vm.list_type);
    *l = (list){{LIST, 1}, 0, 0, NULL};
    for (size_t i = from; i < vm.depth; i++) {
        if (l->count == l->capacity) {  /* items grow by doubling from 4 */
            size_t old = l->capacity * sizeof(value);
            l->capacity = l->capacity < 4 ? 4 : 2 * l->capacity;
            l->items = reallocate(l->items, old, l->capacity * sizeof(value),
                                  vm.items_type);
        }
        l->items[l->count++] = vm.stack[i];
    }
    vm.depth = from;
    push(OBJECT_VAL(&l->obj));
}

static void print(value v, const char *after) {
    if (v.kind == NUMBER) {
        printf("%g", v.number);
    } else if (v.obj->kind == STRING) {
        fputs(((string *)v.obj)->chars, stdout);
    } else {
        list *l = (list *)v.obj;
        putchar('[');
        for (size_t i = 0; i < l->count; i++)
            print(l->items[i], i + 1 < l->count ? " " : "");
        putchar(']');
    }
    fputs(after, stdout);
}

/* Cuts the source into tokens in place: a NUL ends each, over the blank or
 * closing quote after it; a string keeps its opening quote. */
static void scan(char *c) {
    size_t most = strlen(c) / 2 + 1;  /* a token takes a byte and its end */
    vm.tokens = malloc(most * sizeof(token));
    vm.words = malloc(most * sizeof(word));
    if (vm.tokens == NULL || vm.words == NULL)
        fail(MT_EXIT_OUT_OF_MEMORY, "out of memory");
    for (vm.line = 1; *c != '\0';) {
        if (*c == '#') {
            c += strcspn(c, "\n");
        } else if (strchr(BLANKS, *c) != NULL) {
            vm.line += *c++ == '\n';
        } else {
            char *start = c;
            c += 1 + strcspn(c + 1, *c == '"' ? "\"\n" : BLANKS);
            if (*start == '"' && *c != '"')
                fail(MT_EXIT_ERROR, "unterminated string");
            vm.tokens[vm.ntokens++] = (token){start, vm.line};
            vm.line += *c == '\n';
            if (*c != '\0') *c++ = '\0';
        }
    }
}

#define IS(name) (strcmp(w, name) == 0)

/* Runs the tokens from next on: the script's, or a word's up to its ';'. */
static void run(size_t next, int depth) {
    while (next < vm.ntokens) {
        const char *w = vm.word = vm.tokens[next].text;
        const word *called = NULL;  /* the latest definition wins */
        for (size_t i = vm.nwords; i-- > 0 && called == NULL;)
            if (strcmp(vm.words[i].name, w) == 0) called = &vm.words[i];
        char *end;
        double number = strtod(w, &end);
        vm.line = vm.tokens[next++].line;
        if (IS(":")) {
            size_t semi = next;
            while (semi < vm.ntokens && strcmp(vm.tokens[semi].text, ";") != 0)
                if (strcmp(vm.tokens[semi++].text, ":") == 0)
                    fail(MT_EXIT_ERROR, "':' inside a definition");
            if (semi == vm.ntokens || semi == next)
                fail(MT_EXIT_ERROR, "':' needs a name and a ';'");
            /* Step 3, names: a word is a guest function, interned once */
            const char *name = vm.tokens[next].text;
            mt_func func = mt_func_intern(name, strlen(name), vm.file, vm.line);
            vm.words[vm.nwords++] = (word){name, next + 1, func};
            next = semi + 1;
        } else if (IS(";")) {
            if (depth == 0) fail(MT_EXIT_ERROR, "';' outside a definition");
            return;
        } else if (called != NULL) {  /* Step 3, names: a call, its return */
            if (depth == CALLS_MAX) fail(MT_EXIT_ERROR, "calls too deep");
            mt_func caller = vm.func;
            MT_HOOK_CALL(called->func, vm.line);
            vm.func = called->func;
            run(called->body, depth + 1);
            MT_HOOK_RETURN();
            vm.func = caller;
        } else if (w[0] == '"') {
            push(string_make(w + 1, ""));
        } else if (end != w && *end == '\0') {
            push(NUMBER_VAL(number));
        } else if (strchr("+-*/", w[0]) != NULL && w[1] == '\0') {
            double y = pop('n').number, x = pop('n').number;
            push(NUMBER_VAL(IS("+") ? x + y : IS("-") ? x - y
                            : IS("*") ? x * y : x / y));
        } else if (IS("concat")) {
            value b = pop('s'), a = pop('s');
            push(string_make(((string *)a.obj)->chars,
                             ((string *)b.obj)->chars));
            release(a);  /* after the new string: all three live at once */
            release(b);
        } else if (IS("dup")) {
            value v = pop('?');
            if (v.kind == OBJECT) v.obj->refs++;
            push(v);
            push(v);
        } else if (IS("swap")) {
            value b = pop('?'), a = pop('?');
            push(b);
            push(a);
        } else if (IS("drop") || IS("len") || IS("print")) {
            value v = pop(IS("len") ? 'l' : '?');
            if (IS("len")) push(NUMBER_VAL((double)((list *)v.obj)->count));
            if (IS("print")) print(v, "\n");
            release(v);
        } else if (IS("[")) {
            if (vm.nmarks == MARKS_MAX) fail(MT_EXIT_ERROR, "too many '['");
            vm.marks[vm.nmarks++] = vm.depth;
        } else if (IS("]")) {
            list_close();
        } else {
            fail(MT_EXIT_ERROR, "unknown word '%s'", w);
        }
    }
}

/* The whole file, NUL-terminated; NULL, errno saying why, if unreadable. */
static char *file_read(const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) return NULL;
    char *text = NULL;
    size_t size = 0;
    ssize_t length = getdelim(&text, &size, '\0', file);  /* to the end */
    if (length < 0 && feof(file) && !ferror(file) && text != NULL)
        text[length = 0] = '\0';  /* an empty file */
    int error = errno, failed = length < 0 || ferror(file);
    fclose(file);
    if (failed) free(text);
    errno = error;
    return failed ? NULL : text;
}

int main(int argc, char **argv) {
    /* Step 1, options: the --memtracer words go to the tracer; a bad one is
     * one line on stderr and exit 64, nothing run. */
    mt_options options;
    mt_options_init(&options);
    int arg = 1, parsed = MT_ARG_OK;
    while (arg < argc && argv[arg][0] == '-' &&
           (parsed = mt_options_parse(&options, argv[arg])) == MT_ARG_OK)
        arg++;
    if (parsed != MT_ARG_OK || arg != argc - 1) {
        if (parsed == MT_ARG_BAD) fprintf(stderr, "calc: %s\n", mt_error());
        else fprintf(stderr, "usage: calc [--memtracer[.OPTION=VALUE]]... "
                             "SCRIPT\n%s", mt_options_help());
        mt_options_free(&options);
        return 64;
    }
    if ((vm.source = file_read(vm.file = argv[arg])) == NULL) {
        fprintf(stderr, "calc: cannot read '%s': %s\n", vm.file,
                strerror(errno));
        mt_options_free(&options);
        return 66;
    }

    /* Step 2, start, before the guest runs.  It opens the report's file:
     * one that cannot be written stops calc here. */
    int status = options.enabled ? mt_start(&options, "calc", vm.file) : 0;
    if (status != 0) {
        fprintf(stderr, "calc: %s\n", mt_error());
        free(vm.source);
        mt_options_free(&options);
        return status;
    }

    /* Step 3, names: each guest type, interned once; a list's items are
     * storage, counted in blocks and bytes but not as objects.  The top
     * level is a function too, so that a call path ends at a script line. */
    vm.string_type = mt_type_intern("String", 6, MT_KIND_OBJECT);
    vm.list_type = mt_type_intern("List", 4, MT_KIND_OBJECT);
    vm.items_type = mt_type_intern("List items", 10, MT_KIND_STORAGE);
    vm.func = mt_func_intern("<script>", 8, vm.file, 0);
    MT_HOOK_CALL(vm.func, 0);
    scan(vm.source);
    run(0, 0);
    MT_HOOK_RETURN();

    /* Step 2, finish: how the run ended, then the report.  What the stack
     * still holds is live at exit; it is freed after, untraced. */
    mt_exit_set(0, MT_EXIT_NORMAL);
    status = mt_finish() == 0 ? 0 : 74;
    while (vm.depth > 0) release(vm.stack[--vm.depth]);
    free(vm.words);
    free(vm.tokens);
    free(vm.source);
    mt_options_free(&options);
    return status;
}
