// The names threadpool's examples leave to the reader (tests/examples_check.sh).
#pragma once

#include "threadpool/green/green.hpp"
#include "threadpool/threadpool.hpp"
#include "tests/examples/common.hpp"

struct Page {};
Page fetch();
Page download(const std::string& url);
int square(int x);
extern std::vector<std::string> urls;
void show(const Page& page);
void cleanup();
struct Job {};
void worker(int n, std::unique_ptr<Job> job);
void warn(const char* what);
void read_all(const std::string& path);
extern std::string path;
extern int n;
extern std::vector<int> numbers;
extern mp::threadpool::ThreadPoolExecutor executor;
extern std::vector<mp::threadpool::Future<int>> futures;
void use(int value);
void log(int value);
void open_db(const std::string& path);
extern std::vector<int> in, out;
std::string slurp(const std::string& path);
