// mp::pool: Python's multiprocessing Process and Pool, and a ProcessPoolExecutor.
#pragma once

#include "pool/errors.hpp"
#include "pool/process.hpp"
