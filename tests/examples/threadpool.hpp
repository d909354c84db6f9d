// The names threadpool's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "threadpool/threadpool.hpp"
#include "tests/examples/common.hpp"

struct Page {};
Page fetch();
void show(const Page& page);
void cleanup();
struct Job {};
void worker(int n, std::unique_ptr<Job> job);
void warn(const char* what);
void read_all(const std::string& path);
extern std::string path;
extern int n;
extern std::vector<int> in, out;
