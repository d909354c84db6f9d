// recv<T> decodes a large frame while it arrives: decoding starts before the frame's
// end, and whatever way the decoding ends (a value, a DecodeError, an exception from
// a user's hook, the peer closing), the next recv starts at the next frame.
#include <sys/uio.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/connection.hpp"
#include "ipc/errors.hpp"
#include "ipc/internal/io.hpp"
#include "ipc/object.hpp"

namespace streaming_recv_test {

using namespace std::chrono_literals;
using mp::ipc::Connection;
using mp::ipc::Decoder;
using mp::ipc::Encoder;

// How many bytes of its frame were still to come when decoding reached this value;
// `throw_after` > 0 makes decoding throw a runtime_error after that many numbers.
struct Probe {
    std::vector<std::int64_t> numbers;
    std::size_t pending_at_start = 0;
    std::size_t throw_after = 0;
};

void mp_encode(Encoder& out, const Probe& probe) {
    out.write(probe.throw_after);
    out.write(probe.numbers);
}

// The reader's flag: set when a Probe starts decoding.
std::atomic<bool> probe_started{false};

void mp_decode(Decoder& in, Probe& probe) {
    probe.pending_at_start = in.pending();
    probe_started = true;
    in.read(probe.throw_after);
    if (probe.throw_after == 0) return in.read(probe.numbers);
    (void)in.read<std::uint64_t>();  // the count
    for (std::size_t i = 0; i < probe.throw_after; ++i) (void)in.read<std::int64_t>();
    throw std::runtime_error("the hook gave up");
}

Probe numbered(std::size_t count, std::size_t throw_after = 0) {
    Probe probe;
    probe.throw_after = throw_after;
    for (std::size_t i = 0; i < count; ++i) probe.numbers.push_back(static_cast<std::int64_t>(i * 7));
    return probe;
}

// `value` framed as send() frames it: the 8-byte length, then the message.
template <class T>
std::vector<std::byte> frame_of(const T& value) {
    const std::vector<std::byte> message = mp::ipc::encode_message(value);
    const std::uint64_t length = message.size();
    std::vector<std::byte> frame(8);
    std::memcpy(frame.data(), &length, 8);
    frame.insert(frame.end(), message.begin(), message.end());
    return frame;
}

void write_bytes(Connection& to, const std::byte* data, std::size_t size) {
    iovec bytes{const_cast<std::byte*>(data), size};
    mp::ipc::internal::write_all({to.fileno(), true}, &bytes, 1);
}

TEST(StreamingRecv, DecodingStartsBeforeTheFrameHasArrived) {
    auto [reader, writer] = mp::ipc::Pipe();
    const std::vector<std::byte> frame = frame_of(numbered(200'000));  // 1.6 MB
    probe_started = false;
    std::thread sender([&, &writer = writer] {
        constexpr std::size_t kFirst = 4096;
        write_bytes(writer, frame.data(), kFirst);
        // The rest only once the reader has started decoding: had recv waited for the
        // whole frame first, this would wait forever (bounded by the deadline).
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!probe_started && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
        write_bytes(writer, frame.data() + kFirst, frame.size() - kFirst);
        writer.send(std::string("next"));
    });
    const Probe got = reader.recv<Probe>();
    sender.join();
    EXPECT_GT(got.pending_at_start, 1'000'000u);
    EXPECT_EQ(got.numbers, numbered(200'000).numbers);
    EXPECT_EQ(reader.recv<std::string>(), "next");
}

// A dict of ints decodes its runs of int items straight from the bytes that have
// arrived: pieces of an odd size end mid-item, and other kinds break the runs.
TEST(StreamingRecv, ADictOfIntsArrivingInOddPiecesDecodesWhole) {
    mp::ipc::Dict dict;
    for (std::int64_t i = 0; i < 60'000; ++i) {
        if (i % 5'000 == 4'999) {
            dict.set(i, "text " + std::to_string(i));
        } else if (i % 7'001 == 0) {
            dict.set(static_cast<double>(i) + 0.5, i);
        } else {
            dict.set(i, -3 * i);
        }
    }
    auto [reader, writer] = mp::ipc::Pipe();
    const std::vector<std::byte> frame = frame_of(dict);
    std::thread sender([&, &writer = writer] {
        constexpr std::size_t kPiece = 4099;  // not a multiple of an item's 18 bytes
        for (std::size_t at = 0; at < frame.size(); at += kPiece) {
            write_bytes(writer, frame.data() + at, std::min(kPiece, frame.size() - at));
            std::this_thread::yield();
        }
        writer.send(std::string("next"));
    });
    const mp::ipc::Dict got = reader.recv<mp::ipc::Dict>();
    sender.join();
    EXPECT_EQ(got, dict);
    EXPECT_EQ(mp::ipc::Object(got).repr(), mp::ipc::Object(dict).repr());  // in the same order too
    EXPECT_EQ(reader.recv<std::string>(), "next");
}

TEST(StreamingRecv, AFrameOfTheWrongTypeIsSkippedToItsEnd) {
    auto [reader, writer] = mp::ipc::Pipe();
    std::thread sender([&writer = writer] {
        writer.send(std::vector<std::int64_t>(300'000, 5));  // 2.4 MB: most of it arrives after the refusal
        writer.send(std::string("next"));
    });
    EXPECT_THROW((void)reader.recv<std::string>(), mp::ipc::DecodeError);
    EXPECT_EQ(reader.recv<std::string>(), "next");
    sender.join();
}

TEST(StreamingRecv, AHookThatThrowsMidFrameLeavesTheStreamAtTheNextFrame) {
    auto [reader, writer] = mp::ipc::Pipe();
    std::thread sender([&writer = writer] {
        writer.send(numbered(300'000, 100'000));
        writer.send(std::string("next"));
    });
    EXPECT_THROW((void)reader.recv<Probe>(), std::runtime_error);
    EXPECT_EQ(reader.recv<std::string>(), "next");
    sender.join();
}

TEST(StreamingRecv, APeerThatClosesMidFrameIsEOFErrorWhateverThePartSaid) {
    // The part that came is not a valid message (its signature is wrong), but the
    // frame never completes: the error is the truncation, as when the whole frame
    // was read before decoding.
    auto [reader, writer] = mp::ipc::Pipe();
    const std::uint64_t length = 1'000'000;
    std::vector<std::byte> start(8 + 100, std::byte{0x5a});
    std::memcpy(start.data(), &length, 8);
    write_bytes(writer, start.data(), start.size());
    writer.close();
    try {
        (void)reader.recv<std::vector<std::int64_t>>();
        FAIL() << "no EOFError";
    } catch (const mp::ipc::EOFError& e) {
        EXPECT_NE(std::string(e.what()).find("after 100 of 1000000"), std::string::npos) << e.what();
    }
}

}  // namespace streaming_recv_test
