// The sync suite: each primitive's tests live in tests/sync/<primitive>_test.cpp;
// this file holds the tests of the bin/sync command-line tool.
#include <gtest/gtest.h>
