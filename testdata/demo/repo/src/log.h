/* Tiny logging macros, in the style of the original Dice article. */
#ifndef HELLO_LOG_H
#define HELLO_LOG_H
#include <stdio.h>
#define INFO_LOG(...)  (fprintf(stderr, "INFO "), fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))
#define WARN_LOG(...)  (fprintf(stderr, "WARN "), fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))
#define ERROR_LOG(...) (fprintf(stderr, "ERROR "), fprintf(stderr, __VA_ARGS__), fputc('\n', stderr))
#endif
