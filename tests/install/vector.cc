/*
 * vector.cc -- a small C++ program traced through the installed
 * libmemtracer, built with nothing but `pkg-config --cflags --libs
 * memtracer`: the fast door, counted by <memtracer/inline.h> where it
 * can, each block's tag kept beside it.  It prints how many events the
 * inline functions counted.
 *
 *   run (vector.cxx:1) makes a hundred Vectors of 32 B on line 4, then
 *   frees the first fifty.
 */
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <memtracer/hooks.h>
#include <memtracer/inline.h>
#include <memtracer/memtracer.h>

namespace {

struct Block {
    void *memory;
    mt_tag tag;
};

const std::size_t kSize = 32;

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: vector REPORT\n");
        return 64;
    }
    mt_options options;
    mt_options_init(&options);
    std::vector<char> word(std::snprintf(nullptr, 0, "--memtracer.OutputFile=%s",
                                         argv[1]) + 1);
    std::snprintf(word.data(), word.size(), "--memtracer.OutputFile=%s",
                  argv[1]);
    if (mt_options_parse(&options, word.data()) != MT_ARG_OK ||
        mt_options_parse(&options, "--memtracer.Output=json") != MT_ARG_OK) {
        std::fprintf(stderr, "vector: %s\n", mt_error());
        return 64;
    }
    int status = mt_start(&options, "c++", "vector.cxx");
    if (status != 0) {
        std::fprintf(stderr, "vector: %s\n", mt_error());
        return status;
    }
    mt_type vector_type = mt_type_intern("Vector", 6, MT_KIND_OBJECT);
    mt_func run = mt_func_intern("run", 3, "vector.cxx", 1);
    mt_site site = mt_site_at(run, 4, vector_type);

    unsigned long counted_inline = 0;
    std::vector<Block> blocks;
    for (int i = 0; i < 100; i++) {
        Block block{std::malloc(kSize), MT_TAG_UNTRACED};
        if (MT_TRACING()) {
            if (mt_alloc_at_inline(site, kSize, &block.tag))
                counted_inline++;
            else
                block.tag = mt_alloc_at(site, kSize);
        }
        blocks.push_back(block);
    }
    for (int i = 0; i < 50; i++) {
        if (MT_TRACING()) {
            if (mt_free_tagged_inline(blocks[i].tag, kSize))
                counted_inline++;
            else
                MT_HOOK_FREE_TAGGED(blocks[i].tag, kSize);
        }
        std::free(blocks[i].memory);
        blocks[i].memory = nullptr;
    }
    status = mt_finish() == 0 ? 0 : 74;
    mt_options_free(&options);
    for (Block &block : blocks) std::free(block.memory);
    std::printf("%lu\n", counted_inline);
    return status;
}
