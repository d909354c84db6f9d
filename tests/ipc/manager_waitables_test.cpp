// The Manager's semaphore bookkeeping, driven directly: which slots a process that
// dies gives back when other processes release slots they did not take (a hand-off).
#include <gtest/gtest.h>

#include <cstdint>

#include "ipc/internal/manager_waitables.hpp"
#include "sync/errors.hpp"

namespace {

using mp::ipc::List;
using mp::ipc::internal::Caller;
using mp::ipc::internal::Method;
using mp::ipc::internal::Owner;
using mp::ipc::internal::StoredKind;
using mp::ipc::internal::Waitables;
using mp::ipc::internal::WaitState;

constexpr std::uint64_t kSemaphore = 1;

// Each process calls on one connection of its own (client id = process number).
class Processes {
public:
    explicit Processes(std::int64_t initial, StoredKind kind = StoredKind::bounded_semaphore) {
        waitables_.create(kSemaphore, kind, initial);
    }
    bool acquire(std::uint64_t process) { return call(process, Method::semaphore_acquire).as_bool(); }
    void release(std::uint64_t process) { (void)call(process, Method::semaphore_release); }
    std::int64_t value() { return call(99, Method::semaphore_value).as_int(); }
    void die(std::uint64_t process) { (void)waitables_.drop_client(process); }

private:
    mp::ipc::Object call(std::uint64_t process, Method method) {
        waitables_.attach(process, process);
        WaitState state;
        return *waitables_.attempt(Caller{process, Owner{process, 1}}, kSemaphore, method, List{}, true, state);
    }
    Waitables waitables_;
};

constexpr std::uint64_t A = 1, B = 2, C = 3;

// A and C hold the two slots; B gives one back for one of them. Whichever of the two
// dies, its slot must not be returned a second time: the survivor's own release
// later is legal and the count ends at 2.
TEST(ManagerSemaphoreSlots, AHandOffIsNeverReturnedAgainWhenAHolderDies) {
    for (const std::uint64_t dying : {A, C}) {
        const std::uint64_t survivor = dying == A ? C : A;
        Processes p(2);
        ASSERT_TRUE(p.acquire(A));
        ASSERT_TRUE(p.acquire(C));
        p.release(B);
        EXPECT_EQ(p.value(), 1);
        p.die(dying);
        EXPECT_EQ(p.value(), 1) << "the hand-off already gave a slot back";
        EXPECT_NO_THROW(p.release(survivor)) << "process " << survivor;
        EXPECT_EQ(p.value(), 2);
    }
}

// Without hand-offs, a dead holder's slots all come back.
TEST(ManagerSemaphoreSlots, ADeadHoldersSlotsComeBack) {
    Processes p(3);
    ASSERT_TRUE(p.acquire(A));
    ASSERT_TRUE(p.acquire(A));
    ASSERT_TRUE(p.acquire(C));
    p.die(A);
    EXPECT_EQ(p.value(), 2);
    p.release(C);
    EXPECT_EQ(p.value(), 3);
    EXPECT_THROW(p.release(C), mp::sync::ValueError) << "a bounded semaphore refuses a release too many";
}

// The holder that handed its slot to another process (which released it) and later
// dies still counts right for the slot taken after the hand-off.
TEST(ManagerSemaphoreSlots, ASlotTakenAfterAHandOffIsReturnedWhenItsHolderDies) {
    Processes p(1);
    ASSERT_TRUE(p.acquire(A));
    p.release(B);  // A's slot, handed off
    ASSERT_TRUE(p.acquire(C));
    EXPECT_EQ(p.value(), 0);
    p.die(A);  // its slot was given back by B
    EXPECT_EQ(p.value(), 0);
    p.die(C);
    EXPECT_EQ(p.value(), 1);
}

// A release while nothing is held is a signal, not a hand-off: a later holder's
// death still returns its slot.
TEST(ManagerSemaphoreSlots, AReleaseWithNothingHeldIsNotCountedAgainstLaterHolders) {
    Processes p(1, StoredKind::semaphore);
    p.release(B);  // value 2: one slot and one signal
    ASSERT_TRUE(p.acquire(A));
    ASSERT_TRUE(p.acquire(C));
    EXPECT_EQ(p.value(), 0);
    p.die(A);
    p.die(C);
    EXPECT_EQ(p.value(), 1) << "one slot was held (the first taken); the signal stays taken";
}

}  // namespace
