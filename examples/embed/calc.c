/*
 * calc.c -- a small stack calculator, traced by libmemtracer through its
 * simple door: read it before tracing an interpreter of your own.
 *
 * The language: words separated by blanks; # starts a comment.  A number or
 * a "string" (on one line) pushes itself; + - * / take two numbers, concat
 * two strings; dup, drop and swap move values; [ ... ] makes a list of what
 * was pushed in between, len gives its length; print prints the top value
 * and drops it; : name ... ; defines a word, which its name then calls.
 *
 * The heap: strings and lists are objects counted by references (from the
 * stack and from lists); a list's items are a block of their own, grown by
 * realloc.  An object never changes once made, so a list holds only older
 * objects: no cycle, and each object is freed when its last reference goes.
 *
 * The tracing takes the four steps of <memtracer/memtracer.h>, each marked
 * "Step" below.  Every guest block passes one chokepoint, reallocate, which
 * reports it with where the guest is: the word running and the line.  The
 * hooks of <memtracer/hooks.h> cost one branch each while tracing is off.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memtracer/hooks.h>

#define STACK_MAX 256
#define CALLS_MAX 64  /* words running at once */
#define MARKS_MAX 64  /* [ not closed yet */

typedef struct object { enum { STRING, LIST } kind; unsigned refs; } object;
typedef struct value {
    enum { NUMBER, OBJECT } kind;
    union { double number; object *obj; };
} value;
typedef struct string { object obj; size_t len; char chars[]; } string;
typedef struct list { object obj; size_t count, capacity; value *items; } list;
typedef struct token { const char *text; int line; } token;
typedef struct word { const char *name; size_t body; mt_func func; } word;

static struct {
    const char *file;     /* the script, as the command line names it */
    char *source;         /* source, tokens and words are the VM's own */
    token *tokens;        /* memory, not the guest's: never reported */
    word *words;
    size_t token_count, word_count, depth, marks[MARKS_MAX], mark_count;
    value stack[STACK_MAX];
    mt_func func;         /* where the guest is: the word running, or the */
    int line;             /* script's top level, and the line it is on */
    mt_type string_type, list_type, items_type;
    mt_options options;
} vm;

/* An error in the script ends the run.  exit() runs mt_finish, so the
 * report is written, says how the run ended, and shows what the stack held
 * as live. */
static _Noreturn void script_fail(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fprintf(stderr, "calc: %s:%d: ", vm.file, vm.line);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    mt_exit_set(70, MT_EXIT_ERROR);
    exit(70);
}

/* So does a block the allocator refuses. */
static _Noreturn void heap_exhausted(void) {
    fputs("calc: out of memory\n", stderr);
    mt_exit_set(70, MT_EXIT_OUT_OF_MEMORY);
    exit(70);
}

/* Step 4, blocks: every guest block is obtained (old_size 0), resized or
 * released (new_size 0) here, and reported here, where the guest is.  An
 * address is only a key to the tracer, which never reads the block: it may
 * be reported after realloc or free has let the block go. */
static void *reallocate(void *block, size_t old_size, size_t new_size,
                        mt_type type) {
    if (new_size == 0) {
        MT_HOOK_FREE(block, old_size);
        free(block);
        return NULL;
    }
    void *moved = realloc(block, new_size);
    if (moved == NULL) heap_exhausted();
    if (old_size == 0)
        MT_HOOK_ALLOC(moved, new_size, type, vm.func, vm.line);
    else
        MT_HOOK_RESIZE(block, old_size, moved, new_size, type, vm.func,
                       vm.line);
    return moved;
}

static value value_retain(value v) {
    if (v.kind == OBJECT) v.obj->refs++;
    return v;
}

/* Drops a reference: the last one frees the object, and a list's items. */
static void value_release(value v) {
    if (v.kind != OBJECT || --v.obj->refs > 0) return;
    if (v.obj->kind == STRING) {
        string *s = (string *)v.obj;
        reallocate(s, sizeof(string) + s->len + 1, 0, vm.string_type);
        return;
    }
    list *l = (list *)v.obj;
    for (size_t i = 0; i < l->count; i++) value_release(l->items[i]);
    reallocate(l->items, l->capacity * sizeof(value), 0, vm.items_type);
    reallocate(l, sizeof(list), 0, vm.list_type);
}

static void stack_push(value v) {
    if (vm.depth == STACK_MAX) script_fail("stack overflow");
    vm.stack[vm.depth++] = v;
}

/* Pops a builtin's operands once they are checked, one letter each, the
 * deepest first: n a number, s a string, l a list, ? any.  They stay
 * readable at the address returned until the next push. */
static value *args_take(const char *name, const char *kinds) {
    size_t n = strlen(kinds);
    if (vm.depth < n) script_fail("'%s' needs %zu values", name, n);
    value *args = &vm.stack[vm.depth - n];
    for (size_t i = 0; i < n; i++) {
        const char *kind = args[i].kind == NUMBER ? "number"
                           : args[i].obj->kind == STRING ? "string" : "list";
        if (kinds[i] != '?' && kinds[i] != kind[0])
            script_fail("'%s' cannot take a %s", name, kind);
    }
    vm.depth -= n;
    return args;
}

/* A new string: a, then b. */
static value string_make(const char *a, size_t a_len, const char *b,
                         size_t b_len) {
    size_t size = sizeof(string) + a_len + b_len + 1;
    string *s = reallocate(NULL, 0, size, vm.string_type);
    *s = (string){{STRING, 1}, a_len + b_len};
    memcpy(s->chars, a, a_len);
    memcpy(s->chars + a_len, b, b_len);
    s->chars[s->len] = '\0';
    return (value){OBJECT, .obj = &s->obj};
}

/* ]: what was pushed since its [ moves into a new list, whose items grow by
 * doubling from 4 as they are added, the way most VMs grow their arrays. */
static void list_close(void) {
    if (vm.mark_count == 0) script_fail("']' without '['");
    size_t from = vm.marks[--vm.mark_count];
    if (vm.depth < from) script_fail("']' after its '[' lost values");
    list *l = reallocate(NULL, 0, sizeof(list), vm.list_type);
    *l = (list){{LIST, 1}, 0, 0, NULL};
    for (size_t i = from; i < vm.depth; i++) {
        if (l->count == l->capacity) {
            size_t capacity = l->capacity < 4 ? 4 : 2 * l->capacity;
            l->items = reallocate(l->items, l->capacity * sizeof(value),
                                  capacity * sizeof(value), vm.items_type);
            l->capacity = capacity;
        }
        l->items[l->count++] = vm.stack[i];
    }
    vm.depth = from;
    stack_push((value){OBJECT, .obj = &l->obj});
}

static void value_print(value v) {
    if (v.kind == NUMBER) {
        printf("%g", v.number);
    } else if (v.obj->kind == STRING) {
        fputs(((string *)v.obj)->chars, stdout);
    } else {
        list *l = (list *)v.obj;
        putchar('[');
        for (size_t i = 0; i < l->count; i++) {
            if (i > 0) putchar(' ');
            value_print(l->items[i]);
        }
        putchar(']');
    }
}

/* Runs a token that is neither a definition nor a word's name. */
static void builtin_run(const char *name) {
    char *end;
    double number = strtod(name, &end);
    if (name[0] == '"') {
        stack_push(string_make(name + 1, strlen(name + 1), "", 0));
    } else if (end != name && *end == '\0') {
        stack_push((value){NUMBER, .number = number});
    } else if (strlen(name) == 1 && strchr("+-*/", name[0]) != NULL) {
        value *a = args_take(name, "nn");
        double x = a[0].number, y = a[1].number;
        char op = name[0];
        number = op == '+' ? x + y : op == '-' ? x - y
               : op == '*' ? x * y : x / y;
        stack_push((value){NUMBER, .number = number});
    } else if (strcmp(name, "dup") == 0) {
        value v = *args_take(name, "?");
        stack_push(v);
        stack_push(value_retain(v));
    } else if (strcmp(name, "drop") == 0) {
        value_release(*args_take(name, "?"));
    } else if (strcmp(name, "swap") == 0) {
        value *a = args_take(name, "??"), below = a[0], top = a[1];
        stack_push(top);
        stack_push(below);
    } else if (strcmp(name, "concat") == 0) {
        value *a = args_take(name, "ss"), x = a[0], y = a[1];
        string *s = (string *)x.obj, *t = (string *)y.obj;
        stack_push(string_make(s->chars, s->len, t->chars, t->len));
        value_release(x);  /* after the new string is made: all three live */
        value_release(y);
    } else if (strcmp(name, "len") == 0) {
        value v = *args_take(name, "l");
        number = (double)((list *)v.obj)->count;
        stack_push((value){NUMBER, .number = number});
        value_release(v);
    } else if (strcmp(name, "print") == 0) {
        value v = *args_take(name, "?");
        value_print(v);
        putchar('\n');
        value_release(v);
    } else if (strcmp(name, "[") == 0) {
        if (vm.mark_count == MARKS_MAX) script_fail("too many '[' open");
        vm.marks[vm.mark_count++] = vm.depth;
    } else if (strcmp(name, "]") == 0) {
        list_close();
    } else {
        script_fail("unknown word '%s'", name);
    }
}

/* Cuts the source into tokens in place, each ended by a NUL written over the
 * blank or closing quote after it; a string keeps its opening quote.  A
 * token and its end take two bytes, a definition three tokens: the arrays
 * are large enough. */
static void source_scan(char *c) {
    size_t most = strlen(c) / 2 + 1;
    vm.tokens = malloc(most * sizeof(token));
    vm.words = malloc(most / 3 * sizeof(word) + 1);
    if (vm.tokens == NULL || vm.words == NULL) heap_exhausted();
    for (vm.line = 1; *c != '\0';) {
        if (*c == '#') {
            c += strcspn(c, "\n");
        } else if (isspace((unsigned char)*c)) {
            vm.line += *c++ == '\n';
        } else {
            vm.tokens[vm.token_count++] = (token){c, vm.line};
            if (*c == '"') {
                c += 1 + strcspn(c + 1, "\"\n");
                if (*c != '"') script_fail("unterminated string");
            } else {
                while (*c != '\0' && !isspace((unsigned char)*c)) c++;
                vm.line += *c == '\n';
            }
            if (*c != '\0') *c++ = '\0';
        }
    }
}

/* : name ... ; defines a word; the index of the token after its ';'. */
static size_t word_define(size_t colon) {
    size_t end = colon + 1;
    for (; end < vm.token_count && strcmp(vm.tokens[end].text, ";") != 0; end++)
        if (strcmp(vm.tokens[end].text, ":") == 0)
            script_fail("':' inside a definition");
    if (end >= vm.token_count || end == colon + 1)
        script_fail("':' needs a name and a ';'");
    const char *name = vm.tokens[colon + 1].text;
    /* Step 3, names: a word is a guest function, interned once, with the
     * script and the line that defines it. */
    mt_func func = mt_func_intern(name, strlen(name), vm.file, vm.line);
    vm.words[vm.word_count++] = (word){name, colon + 2, func};
    return end + 1;
}

static const word *word_find(const char *name) {
    for (size_t i = vm.word_count; i-- > 0;)  /* the latest definition wins */
        if (strcmp(vm.words[i].name, name) == 0) return &vm.words[i];
    return NULL;
}

/* Runs the tokens in order; a call keeps where to come back to. */
static void script_run(void) {
    struct { size_t next; mt_func func; } calls[CALLS_MAX];
    size_t depth = 0;
    for (size_t next = 0; next < vm.token_count;) {
        const token *t = &vm.tokens[next++];
        const word *w;
        vm.line = t->line;
        if (strcmp(t->text, ":") == 0) {
            next = word_define(next - 1);
        } else if (strcmp(t->text, ";") == 0) {
            if (depth == 0) script_fail("';' outside a definition");
            MT_HOOK_RETURN();  /* Step 3, names: the word returns */
            depth--;
            next = calls[depth].next;
            vm.func = calls[depth].func;
        } else if ((w = word_find(t->text)) != NULL) {
            if (depth == CALLS_MAX) script_fail("calls nested too deep");
            calls[depth].next = next;
            calls[depth++].func = vm.func;
            /* Step 3, names: a call, and the line it is made from */
            MT_HOOK_CALL(w->func, t->line);
            vm.func = w->func;
            next = w->body;
        } else {
            builtin_run(t->text);
        }
    }
}

/* The whole file, NUL-terminated; NULL, errno saying why, if it cannot be
 * read.  Read to its end, not by its size: a pipe has none. */
static char *file_read(const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) return NULL;
    size_t length = 0, capacity = 4096;
    char *text = malloc(capacity);
    while (text != NULL) {
        length += fread(text + length, 1, capacity - 1 - length, file);
        if (length < capacity - 1) break;  /* the end, or an error */
        char *grown = realloc(text, capacity *= 2);
        if (grown == NULL) free(text);
        text = grown;
    }
    int error = errno;
    if (text != NULL && ferror(file)) {
        free(text);
        text = NULL;
    } else if (text != NULL) {
        text[length] = '\0';
    }
    fclose(file);
    errno = error;
    return text;
}

int main(int argc, char **argv) {
    /* Step 1, options: the --memtracer words go to the tracer; a bad one is
     * one line on stderr and exit 64, nothing run. */
    mt_options_init(&vm.options);
    int arg = 1, parsed = MT_ARG_OK;
    while (arg < argc && argv[arg][0] == '-' &&
           (parsed = mt_options_parse(&vm.options, argv[arg])) == MT_ARG_OK)
        arg++;
    if (parsed != MT_ARG_OK || arg != argc - 1) {
        if (parsed == MT_ARG_BAD) fprintf(stderr, "calc: %s\n", mt_error());
        else fprintf(stderr, "usage: calc [--memtracer[.OPTION=VALUE]]... "
                             "SCRIPT\n%s", mt_options_help());
        mt_options_free(&vm.options);
        return 64;
    }
    vm.file = argv[arg];
    vm.source = file_read(vm.file);
    if (vm.source == NULL) {
        fprintf(stderr, "calc: cannot read '%s': %s\n", vm.file,
                strerror(errno));
        mt_options_free(&vm.options);
        return 66;
    }

    /* Step 2, start, before the guest runs.  The report's file is opened
     * now: one that cannot be written stops calc before anything runs. */
    if (vm.options.enabled) {
        int status = mt_start(&vm.options, "calc", vm.file);
        if (status != 0) {
            fprintf(stderr, "calc: %s\n", mt_error());
            free(vm.source);
            mt_options_free(&vm.options);
            return status;
        }
    }

    /* Step 3, names: each guest type, interned once.  A list is an object;
     * its items are storage, counted in blocks and bytes but not as objects.
     * The script's top level is a function too, entered by a call, so that
     * a stack trace ends at the line of the script a word was called from. */
    vm.string_type = mt_type_intern("String", 6, MT_KIND_OBJECT);
    vm.list_type = mt_type_intern("List", 4, MT_KIND_OBJECT);
    vm.items_type = mt_type_intern("List items", 10, MT_KIND_STORAGE);
    vm.func = mt_func_intern("<script>", 8, vm.file, 0);
    MT_HOOK_CALL(vm.func, 0);
    source_scan(vm.source);
    script_run();
    MT_HOOK_RETURN();

    /* Step 2, finish: how the run ended, then the report.  What the stack
     * still holds is live at exit; it is freed after, untraced. */
    mt_exit_set(0, MT_EXIT_NORMAL);
    int status = mt_finish() == 0 ? 0 : 74;
    while (vm.depth > 0) value_release(vm.stack[--vm.depth]);
    mt_options_free(&vm.options);
    free(vm.words);
    free(vm.tokens);
    free(vm.source);
    return status;
}
