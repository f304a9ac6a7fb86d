/*
 * bench.c -- `memtracer bench` (see bench.h).
 *
 * Each run's report is asked for by inserting
 * `--memtracer.Output=json --memtracer.OutputFile=TMP` right after the
 * command's first word (lox and lua-memtracer take --memtracer options
 * anywhere before the script), unless the command already names an
 * OutputFile, which is then read, once each run has written it anew (a
 * file the run left as it was is an old report, not this run's).  The
 * child's standard input is an empty file and its output goes to files,
 * all in a private temporary folder that is removed afterwards, on every
 * way out: a failure, exit() (out of memory), and a signal that stops the
 * bench (passed on to the running command first).
 *
 * The command is run not by bench but by a launcher (launcher.h), forked
 * before bench reads any report, so that its peak RSS is its own.
 *
 * Runs traced with --memtracer.SampleBytes give estimates: the traced
 * figures are marked "~", and a figure that varies is put down to
 * sampling when the runs were sampled from different seeds.
 */
#define _XOPEN_SOURCE 700
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "escape.h"
#include "json_out.h"
#include "launcher.h"
#include "msg.h"
#include "report.h"
#include "stats.h"
#include "status.h"
#include "table.h"
#include "units.h"

static const char bench_usage[] =
    "usage: memtracer bench -n N [--warmup K] [--json] -- COMMAND...\n"
    "\n"
    "Runs COMMAND (a traced interpreter: lox, lua-memtracer) N times after K\n"
    "warmup runs and gives, for its wall time, its peak RSS (as wait4 measured\n"
    "it) and its report's peak, bytes, allocations, blocks and live bytes (the\n"
    "summary's: the whole program, every phase): min, median, mean, max and\n"
    "standard deviation.  An exact figure that varies between runs is pointed\n"
    "out; the figures of sampled runs are estimates, marked ~.  Each run's report is asked for by inserting --memtracer.Output=json\n"
    "--memtracer.OutputFile=TMP after COMMAND's first word, unless COMMAND\n"
    "names an OutputFile itself (a regular file), which each run must write anew.\n"
    "\n"
    "  -n N          measured runs (1 to 1000000)\n"
    "  --warmup K    runs before them, not measured (0 to 1000000, default 0)\n"
    "  --json        machine-readable output\n"
    "  -h, --help    this text\n"
    "\n"
    "Exit status: 0 fine, 1 a run failed, 64 usage, 65 a report is malformed,\n"
    "74 the output cannot be written.\n";

static const char output_file_option[] = "--memtracer.OutputFile=";

/* Runs and warmup runs a bench takes: enough for any statistics, few
 * enough that their figures fit in memory and their count in a long. */
#define BENCH_RUNS_MAX 1000000L

typedef enum {
    MEASURE_WALL_MS,
    MEASURE_PEAK_RSS,
    MEASURE_PEAK_BYTES,
    MEASURE_BYTES,
    MEASURE_ALLOCATIONS,
    MEASURE_BLOCKS,
    MEASURE_LIVE_BYTES,
    MEASURE_COUNT
} Measure;

static const struct {
    const char *name;
    const char *unit;
    bool exact;          /* a traced figure: the same on every run of the same program */
    int summary_figure;  /* where a report holds it, or -1 */
} measures[MEASURE_COUNT] = {
    [MEASURE_WALL_MS] = {"wall_ms", "ms", false, -1},
    [MEASURE_PEAK_RSS] = {"peak_rss", "bytes", false, -1},
    [MEASURE_PEAK_BYTES] = {"peak_bytes", "bytes", true, SUMMARY_PEAK_BYTES},
    [MEASURE_BYTES] = {"bytes", "bytes", true, SUMMARY_BYTES},
    [MEASURE_ALLOCATIONS] = {"allocations", "count", true, SUMMARY_ALLOCATIONS},
    [MEASURE_BLOCKS] = {"blocks", "count", true, SUMMARY_BLOCKS},
    [MEASURE_LIVE_BYTES] = {"live_bytes", "bytes", true, SUMMARY_LIVE_BYTES},
};

typedef struct {
    long runs, warmup;
    bool json;
    char **command;  /* NULL-terminated, from argv */
    int command_length;
} BenchOptions;

typedef struct {
    char *folder;           /* the private temporary folder */
    char **argv;            /* the command as run, NULL-terminated */
    char *report_path;      /* where each run's report is read */
    char *std_paths[3];     /* the command's standard input, output and error, in `folder` */
    bool report_is_ours;    /* in `folder`: removed before each run; else
                               the command's, checked to be written anew */
    double *values[MEASURE_COUNT]; /* one per measured run */
    bool known[MEASURE_COUNT];     /* every run's report had it */
    bool sampled;                  /* a run's report was sampled */
    Figure sample_bytes;           /* the first sampled run's */
    Figure *seeds;                 /* each measured run's, unknown when exact */
    char **seed_texts;             /* each measured run's seed, exactly, or NULL */
    long runs;                     /* measured runs: the length of values and seeds */
    bool seeds_differ;             /* two sampled runs had different seeds */
} Bench;

/* The folder while it exists, for exit() (out of memory) to remove. */
static char *folder_made = NULL;

/* exit() (out of memory) ends the launcher, then removes the folder. */
static void leftovers_remove_at_exit(void) {
    launcher_stop(NULL);
    folder_remove(folder_made);
    folder_made = NULL;
}

static char *folder_file(const Bench *bench, const char *name) {
    return str_printf("%s/%s", bench->folder, name);
}

/* The OutputFile the command names itself, or NULL (the last, as the
 * tracer takes the last). */
static const char *command_output_file(const BenchOptions *options) {
    const char *named = NULL;
    for (int i = 1; i < options->command_length; i++)
        if (strncmp(options->command[i], output_file_option, strlen(output_file_option)) == 0)
            named = options->command[i] + strlen(output_file_option);
    return named;
}

/* A report file the command names must be a file that bench can tell was
 * written by each run: not standard output, not a FIFO or a device
 * (opening one would wait for a reader, or read what is no report).
 * Returns STATUS_OK or STATUS_USAGE, having said why. */
static int output_file_check(const char *named) {
    struct stat info;
    if (named == NULL) return STATUS_OK;
    if (named[0] == '\0' || strcmp(named, "-") == 0 ||
        (stat(named, &info) == 0 && !S_ISREG(info.st_mode))) {
        return cli_usage_error("bench", "--memtracer.OutputFile=%s: bench reads each "
                               "run's report from a regular file; name one, or leave "
                               "OutputFile out", named);
    }
    return STATUS_OK;
}

/* The command with the report options inserted, unless it names its own
 * OutputFile. */
static void command_prepare(Bench *bench, const BenchOptions *options) {
    const char *named = command_output_file(options);
    bench->argv = mem_calloc((size_t)options->command_length + 3, sizeof(char *));
    int at = 0;
    bench->argv[at++] = str_dup(options->command[0]);
    if (named != NULL) {
        bench->report_path = str_dup(named);
    } else {
        bench->report_path = folder_file(bench, "report.json");
        bench->report_is_ours = true;
        bench->argv[at++] = str_dup("--memtracer.Output=json");
        bench->argv[at++] = str_printf("%s%s", output_file_option, bench->report_path);
    }
    for (int i = 1; i < options->command_length; i++) bench->argv[at++] = str_dup(options->command[i]);
    static const char *const std_names[3] = {"stdin", "stdout", "stderr"};
    for (int i = 0; i < 3; i++) bench->std_paths[i] = folder_file(bench, std_names[i]);
}

/* The last non-empty line of the file at `path`, or NULL. */
static char *last_line(const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) return NULL;
    char *line = NULL, *last = NULL;
    size_t size = 0;
    ssize_t length;
    while ((length = getline(&line, &size, file)) >= 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = '\0';
        if (length == 0) continue;
        free(last);
        last = str_dup(line);
    }
    free(line);
    fclose(file);
    return last;
}

/* The most of a line of the command's standard error that a failure
 * quotes: its last SAID_MAX characters. */
#define SAID_MAX 200

/* Where the part of `line` a failure quotes starts: its last SAID_MAX
 * characters (a byte that is not UTF-8 counts as one). */
static const char *said_from(const char *line) {
    size_t count = 0;
    for (const char *c = line; *c != '\0'; count++) c += utf8_length(c) > 0 ? utf8_length(c) : 1;
    const char *from = line;
    for (; count > SAID_MAX; count--) from += utf8_length(from) > 0 ? utf8_length(from) : 1;
    return from;
}

/* How a process ended, as a run's failure says it. */
static char *ending_text(int wait_status) {
    if (WIFSIGNALED(wait_status))
        return str_printf("was killed by signal %d (%s)", WTERMSIG(wait_status),
                          strsignal(WTERMSIG(wait_status)));
    return str_printf("exited with status %d", WEXITSTATUS(wait_status));
}

/* Runs the command once, through the launcher; fills `wall_ms` and
 * `peak_rss`.  Returns STATUS_OK or STATUS_REGRESSION, having said how
 * the run failed. */
static int command_run(const Bench *bench, long run, long total, double *wall_ms, double *peak_rss) {
    Launched launched;
    if (!launcher_run(&launched)) {
        int wait_status = 0;
        launcher_stop(&wait_status);
        char *how = ending_text(wait_status);
        msg_error(STATUS_REGRESSION, "run %ld of %ld failed: the process that runs %s %s", run,
                  total, bench->argv[0], how);
        free(how);
        return STATUS_REGRESSION;
    }
    *wall_ms = launched.wall_ms;
    *peak_rss = (double)launched.max_rss_kib * 1024;
    switch (launched.outcome) {
    case LAUNCH_UNPREPARED:
        return msg_error(STATUS_REGRESSION, "cannot prepare run %ld: %s", run,
                         strerror(launched.error));
    case LAUNCH_UNFORKED:
        return msg_error(STATUS_REGRESSION, "cannot start %s: %s", bench->argv[0],
                         strerror(launched.error));
    case LAUNCH_UNEXECUTED:
        return msg_error(STATUS_REGRESSION, "cannot run %s: %s", bench->argv[0],
                         strerror(launched.error));
    default: break;
    }
    if (WIFEXITED(launched.wait_status) && WEXITSTATUS(launched.wait_status) == 0) return STATUS_OK;
    char *line = last_line(bench->std_paths[2]);
    const char *said = line != NULL ? said_from(line) : NULL;
    char *how = ending_text(launched.wait_status);
    msg_error(STATUS_REGRESSION, "run %ld of %ld failed: %s %s%s%s%s", run, total, bench->argv[0],
              how, said != NULL ? ": " : "", said != NULL && said != line ? "..." : "",
              said != NULL ? said : "");
    free(how);
    free(line);
    return STATUS_REGRESSION;
}

/* What tells a file from its former self: the tracer replaces a report
 * (a new file renamed over the old), a script may rewrite it in place. */
typedef struct {
    bool exists;
    struct stat info;
} FileMark;

static FileMark file_mark(const char *path) {
    FileMark mark;
    memset(&mark, 0, sizeof mark);
    mark.exists = stat(path, &mark.info) == 0;
    return mark;
}

static bool time_equal(struct timespec a, struct timespec b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Whether the file was written between `before` and `after`: another
 * file, size or time.  A traced program writes a regular file's report
 * to a new file and renames it over the old one, so a report of the run
 * is always another file; one the run left alone keeps all of these.
 * (Its times alone could not tell: a file written just before the run
 * can bear a time later than a clock read at the start of it.) */
static bool file_written(const FileMark *before, const FileMark *after) {
    if (!after->exists) return false;
    if (!before->exists) return true;
    const struct stat *old = &before->info, *now = &after->info;
    return old->st_dev != now->st_dev || old->st_ino != now->st_ino ||
           old->st_size != now->st_size || !time_equal(old->st_mtim, now->st_mtim) ||
           !time_equal(old->st_ctim, now->st_ctim);
}

/* One run, warmup or measured (`index` >= 0: its place in the values). */
static int bench_run(Bench *bench, long run, long total, long index) {
    if (bench->report_is_ours) unlink(bench->report_path);
    FileMark before = file_mark(bench->report_path);
    double wall_ms = 0, peak_rss = 0;
    int status = command_run(bench, run, total, &wall_ms, &peak_rss);
    if (status != STATUS_OK || launcher_signal_caught() != 0) return status != STATUS_OK ? status : STATUS_REGRESSION;
    FileMark after = file_mark(bench->report_path);
    if (!after.exists) {
        if (bench->report_is_ours)
            return msg_error(STATUS_REGRESSION, "run %ld of %ld wrote no report (is %s traced by "
                             "memtracer? it was given --memtracer.OutputFile)", run, total,
                             bench->argv[0]);
        return msg_error(STATUS_REGRESSION, "run %ld of %ld wrote no report to %s", run, total,
                         bench->report_path);
    }
    if (!file_written(&before, &after))
        return msg_error(STATUS_REGRESSION, "run %ld of %ld wrote no report to %s: the file "
                         "there is as it was before the run", run, total, bench->report_path);
    if (!S_ISREG(after.info.st_mode))
        return msg_error(STATUS_REGRESSION, "run %ld of %ld: %s is not a regular file", run,
                         total, bench->report_path);
    Report report;
    status = report_load(bench->report_path, &report);
    if (status == STATUS_OK && index >= 0) {
        if (report.sampled && !bench->sampled) bench->sample_bytes = report.sample_bytes;
        bench->sampled |= report.sampled;
        bench->seeds[index] = report.sampled ? report.seed : (Figure){0, false};
        if (report.seed_text != NULL) bench->seed_texts[index] = str_dup(report.seed_text);
        for (long r = 0; r < index; r++)
            if (bench->seeds[r].known && report.sampled &&
                (!report.seed.known || bench->seeds[r].value != report.seed.value))
                bench->seeds_differ = true;
        for (int m = 0; m < MEASURE_COUNT; m++) {
            double value = 0;
            if (m == MEASURE_WALL_MS) value = wall_ms;
            else if (m == MEASURE_PEAK_RSS) value = peak_rss;
            else if (report.summary[measures[m].summary_figure].known)
                value = report.summary[measures[m].summary_figure].value;
            else bench->known[m] = false;
            bench->values[m][index] = value;
        }
    }
    report_free(&report);
    return status;
}

static char *stat_text(double value, const char *unit) {
    if (strcmp(unit, "ms") == 0) return str_printf("%.2f", value);
    if (value == floor(value)) return str_printf("%.0f", value);
    return str_printf("%.1f", value);
}

static void table_write(const Bench *bench, const BenchOptions *options, const Stats *stats) {
    printf("%ld runs", options->runs);
    if (options->warmup > 0) printf(" after %ld warmup", options->warmup);
    printf(" of:");
    for (int i = 0; i < options->command_length; i++) {
        char *word = text_escape(options->command[i]);
        printf(" %s", word);
        free(word);
    }
    printf("\n\n");
    static const char *const headers[] = {"Figure", "Unit", "Min", "Median", "Mean", "Max", "Stddev"};
    Table *table = table_new(headers, "llrrrrr");
    for (int m = 0; m < MEASURE_COUNT; m++) {
        const char *unit = measures[m].unit;
        bool known = bench->known[m];
        const char *prefix = measures[m].exact && bench->sampled ? "~" : "";
        char *cells[7] = {str_dup(measures[m].name), str_dup(unit)};
        const double numbers[] = {stats[m].min, stats[m].median, stats[m].mean, stats[m].max, stats[m].stddev};
        for (int c = 0; c < 5; c++) {
            char *number = stat_text(numbers[c], unit);
            cells[2 + c] = known ? str_printf("%s%s", prefix, number) : str_dup("-");
            free(number);
        }
        table_add(table, cells);
    }
    table_print(table, stdout, false);
    table_free(table);
    if (bench->sampled) {
        char *per = bench->sample_bytes.known
                        ? str_printf("one sample per %.0f bytes on average",
                                     bench->sample_bytes.value)
                        : str_dup("sampled");
        printf("Figures marked ~ are estimates: the runs were sampled (%s, %s).\n", per,
               bench->seeds_differ ? "a different seed on each run" : "the same seed");
        free(per);
    }
    for (int m = 0; m < MEASURE_COUNT; m++) {
        if (!measures[m].exact || !bench->known[m] || stats[m].min == stats[m].max) continue;
        printf("Note: %s varies between runs (%.0f to %.0f): %s\n", measures[m].name, stats[m].min,
               stats[m].max,
               bench->seeds_differ ? "each run was sampled from a different seed "
                                     "(--memtracer.Seed=N repeats the sampling)"
               : bench->sampled    ? "runs sampled from the same seed sample alike, so the "
                                     "program did not do the same work on every run"
                                   : "traced figures are exact, so the program did not do the same "
                                     "work on every run");
    }
}

static bool json_write_bench(const Bench *bench, const BenchOptions *options, const Stats *stats) {
    json_t *root = json_object();
    json_object_set_new(root, "format", json_string("memtracer-bench"));
    json_object_set_new(root, "version", json_integer(1));
    json_t *command = json_array();
    for (int i = 0; i < options->command_length; i++)
        json_array_append_new(command, json_from_text(options->command[i]));
    json_object_set_new(root, "command", command);
    json_object_set_new(root, "runs", json_integer(options->runs));
    json_object_set_new(root, "warmup", json_integer(options->warmup));
    json_object_set_new(root, "sampled", json_boolean(bench->sampled));
    json_t *sampling = json_null();
    if (bench->sampled) {
        sampling = json_object();
        json_object_set_new(sampling, "bytes", json_from_figure(bench->sample_bytes));
        json_t *seeds = json_array();
        for (long r = 0; r < options->runs; r++)
            json_array_append_new(seeds, json_from_seed(bench->seed_texts[r]));
        json_object_set_new(sampling, "seeds", seeds);
    }
    json_object_set_new(root, "sampling", sampling);
    json_t *figures = json_object(), *varying = json_array();
    for (int m = 0; m < MEASURE_COUNT; m++) {
        if (!bench->known[m]) {
            json_object_set_new(figures, measures[m].name, json_null());
            continue;
        }
        json_t *figure = json_object();
        json_object_set_new(figure, "unit", json_string(measures[m].unit));
        json_object_set_new(figure, "min", json_from_number(stats[m].min));
        json_object_set_new(figure, "median", json_from_number(stats[m].median));
        json_object_set_new(figure, "mean", json_from_number(stats[m].mean));
        json_object_set_new(figure, "max", json_from_number(stats[m].max));
        json_object_set_new(figure, "stddev", json_from_number(stats[m].stddev));
        json_t *values = json_array();
        for (long r = 0; r < options->runs; r++)
            json_array_append_new(values, json_from_number(bench->values[m][r]));
        json_object_set_new(figure, "values", values);
        bool varies = measures[m].exact && stats[m].min != stats[m].max;
        json_object_set_new(figure, "varies", json_boolean(varies));
        json_object_set_new(figure, "estimated", json_boolean(measures[m].exact && bench->sampled));
        if (varies) json_array_append_new(varying, json_string(measures[m].name));
        json_object_set_new(figures, measures[m].name, figure);
    }
    json_object_set_new(root, "figures", figures);
    json_object_set_new(root, "varying", varying);
    bool written = json_write(root, stdout, false);
    json_decref(root);
    return written;
}

static int options_parse(int argc, char **argv, BenchOptions *options) {
    static const struct option long_options[] = {
        {"warmup", required_argument, NULL, 'w'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool runs_given = false;
    cli_reset();
    /* "+": stop at the command's first word, whose options are its own. */
    static const char short_options[] = "+n:h";
    for (int option; (option = getopt_long(argc, argv, short_options, long_options, NULL)) != -1;) {
        switch (option) {
        case 'n':
            if (!cli_parse_long(optarg, 1, &options->runs) || options->runs > BENCH_RUNS_MAX)
                return cli_usage_error("bench", "-n takes a number of runs from 1 to %ld, not "
                                       "'%s'", BENCH_RUNS_MAX, optarg);
            runs_given = true;
            break;
        case 'w':
            if (!cli_parse_long(optarg, 0, &options->warmup) || options->warmup > BENCH_RUNS_MAX)
                return cli_usage_error("bench", "--warmup takes a number of runs from 0 to %ld, "
                                       "not '%s'", BENCH_RUNS_MAX, optarg);
            break;
        case 'j': options->json = true; break;
        case 'h': return -1;
        default: return cli_option_error(argv, "bench", short_options);
        }
    }
    if (!runs_given) return cli_usage_error("bench", "needs -n N, the number of runs");
    if (optind >= argc) return cli_usage_error("bench", "needs a command to run, after --");
    options->command = argv + optind;
    options->command_length = argc - optind;
    return output_file_check(command_output_file(options));
}

/* Removes the temporary folder, once the runs are over. */
static void folder_discard(Bench *bench) {
    folder_remove(bench->folder);
    folder_made = NULL;
    free(bench->folder);
    bench->folder = NULL;
}

static void bench_free(Bench *bench) {
    folder_discard(bench);
    for (char **word = bench->argv; word != NULL && *word != NULL; word++) free(*word);
    free(bench->argv);
    free(bench->report_path);
    for (int i = 0; i < 3; i++) free(bench->std_paths[i]);
    for (int m = 0; m < MEASURE_COUNT; m++) free(bench->values[m]);
    free(bench->seeds);
    if (bench->seed_texts != NULL)
        for (long r = 0; r < bench->runs; r++) free(bench->seed_texts[r]);
    free(bench->seed_texts);
}

int bench_main(int argc, char **argv) {
    BenchOptions options = {0};
    int status = options_parse(argc, argv, &options);
    if (status < 0) return cli_help(bench_usage);
    if (status != STATUS_OK) return status;

    Bench bench = {0};
    for (int m = 0; m < MEASURE_COUNT; m++) {
        bench.values[m] = mem_calloc((size_t)options.runs, sizeof(double));
        bench.known[m] = true;
    }
    bench.runs = options.runs;
    bench.seeds = mem_calloc((size_t)options.runs, sizeof(Figure));
    bench.seed_texts = mem_calloc((size_t)options.runs, sizeof(char *));
    const char *tmp = getenv("TMPDIR");
    char *folder_template = str_printf("%s/memtracer-bench-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(folder_template) == NULL) {
        status = msg_error(STATUS_CANT_WRITE, "cannot make a temporary folder %s: %s",
                           folder_template, strerror(errno));
        free(folder_template);
        bench_free(&bench);
        return status;
    }
    bench.folder = folder_template;
    folder_made = folder_template;
    atexit(leftovers_remove_at_exit);
    command_prepare(&bench, &options);
    launcher_signals_catch(true);
    if (!launcher_start(bench.argv, bench.std_paths, bench.folder))
        status = msg_error(STATUS_REGRESSION, "cannot start a process to run %s: %s",
                           bench.argv[0], strerror(errno));
    long total = options.warmup + options.runs;
    for (long run = 0; run < total && status == STATUS_OK && launcher_signal_caught() == 0; run++)
        status = bench_run(&bench, run + 1, total, run - options.warmup);
    launcher_stop(NULL);
    launcher_signals_catch(false);
    /* Before the output, which may end the bench by SIGPIPE. */
    folder_discard(&bench);
    if (status == STATUS_OK && launcher_signal_caught() == 0) {
        Stats stats[MEASURE_COUNT];
        for (int m = 0; m < MEASURE_COUNT; m++)
            stats[m] = stats_compute(bench.values[m], (size_t)options.runs);
        if (options.json) json_write_bench(&bench, &options, stats);
        else table_write(&bench, &options, stats);
        status = cli_finish_stdout(STATUS_OK);
    }
    bench_free(&bench);
    int caught = launcher_signal_caught();
    if (caught != 0) {
        /* Die of the signal, as the shell expects, once the folder is gone. */
        signal(caught, SIG_DFL);
        raise(caught);
    }
    return status;
}
