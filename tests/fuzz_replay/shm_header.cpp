// The shm_header fuzz target's body under another name, so that the replay suite
// can call it next to other targets (each target defines LLVMFuzzerTestOneInput).
#define LLVMFuzzerTestOneInput shm_header_fuzz_one
#include "tests/fuzz/shm_header.cpp"
