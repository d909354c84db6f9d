// mp::pool: Python's multiprocessing Process and Pool, and concurrent.futures'
// ProcessPoolExecutor, for C++ on POSIX. See pool/README.md.
#pragma once

#include "pool/async_result.hpp"
#include "pool/current_process.hpp"
#include "pool/errors.hpp"
#include "pool/exceptions.hpp"
#include "pool/executor.hpp"
#include "pool/imap_iterator.hpp"
#include "pool/process.hpp"
#include "pool/process_pool.hpp"
