/*
 * calc.c -- a small C program traced through the installed libmemtracer,
 * built with nothing but `pkg-config --cflags --libs memtracer`: the
 * simple door through <memtracer/hooks.h>, its calls reported, its
 * report written where its first argument says.
 *
 *   main (calc.txt:1) makes ten Numbers of 24 B on line 2 and calls add
 *   from line 3; add (calc.txt:5) makes 100 B of Digits on line 6 and
 *   grows them to 200 B; main then frees four Numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memtracer/hooks.h>
#include <memtracer/memtracer.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: calc REPORT [--memtracer.X ...]\n");
        return 64;
    }
    mt_options options;
    mt_options_init(&options);
    char word[4200];
    snprintf(word, sizeof word, "--memtracer.OutputFile=%s", argv[1]);
    int parsed = mt_options_parse(&options, word);
    for (int i = 2; i < argc && parsed == MT_ARG_OK; i++)
        parsed = mt_options_parse(&options, argv[i]);
    if (parsed != MT_ARG_OK) {
        fprintf(stderr, "calc: %s\n", mt_error());
        return 64;
    }
    int status = mt_start(&options, "calc", "calc.txt");
    if (status != 0) {
        fprintf(stderr, "calc: %s\n", mt_error());
        return status;
    }
    mt_type number = mt_type_intern("Number", 6, MT_KIND_OBJECT);
    mt_type digits = mt_type_intern("Digits", 6, MT_KIND_STORAGE);
    mt_func main_func = mt_func_intern("main", 4, "calc.txt", 1);
    mt_func add = mt_func_intern("add", 3, "calc.txt", 5);

    /* Blocks reported the plainest way, which must compile without a
     * warning: a block as malloc gives it, before it is written; a
     * realloc with the address it let go; a free after the fact. */
    void *numbers[10];
    MT_HOOK_CALL(main_func, 0);
    for (int i = 0; i < 10; i++) {
        numbers[i] = malloc(24);
        MT_HOOK_ALLOC(numbers[i], 24, number, main_func, 2);
    }
    MT_HOOK_CALL(add, 3);
    char *text = malloc(100);
    MT_HOOK_ALLOC(text, 100, digits, add, 6);
    char *grown = realloc(text, 200);
    if (grown == NULL) return 70;
    MT_HOOK_RESIZE(text, 100, grown, 200, digits, add, 6);
    MT_HOOK_RETURN();
    for (int i = 0; i < 4; i++) {
        free(numbers[i]);
        MT_HOOK_FREE(numbers[i], 24);
    }
    MT_HOOK_RETURN();
    status = mt_finish() == 0 ? 0 : 74;
    mt_options_free(&options);
    for (int i = 4; i < 10; i++) free(numbers[i]);
    free(grown);
    return status;
}
