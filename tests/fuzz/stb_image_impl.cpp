// stb_image compiled into the image fuzz target, so that it is instrumented (ASan sees its
// reads, libFuzzer its branches) instead of linking Debian's uninstrumented libstb. Same
// header, same version as the one the terminal links.
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
