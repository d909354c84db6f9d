// The main() of every test suite: GoogleTest plus the leak guard.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/helpers.hpp"
#include "tests/support/leak_guard.hpp"

int main(int argc, char** argv) {
    // A suite re-executes itself as a helper child for tests that need a separate
    // program (see helpers.hpp); such a run never reaches GoogleTest.
    if (const int code = mp::test::run_helper_if_requested(argc, argv); code >= 0) return code;

    ::testing::InitGoogleTest(&argc, argv);
    // Appended after the default printer: end events run in reverse order, so the
    // guard's failures are printed before the test's verdict line.
    ::testing::UnitTest::GetInstance()->listeners().Append(new mp::test::LeakGuard);
    return RUN_ALL_TESTS();
}
