// MP_SYNC_TSAN is 1 in ThreadSanitizer builds (gcc defines __SANITIZE_THREAD__,
// clang answers __has_feature).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define MP_SYNC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MP_SYNC_TSAN 1
#endif
#endif
#ifndef MP_SYNC_TSAN
#define MP_SYNC_TSAN 0
#endif
