// The body of the Manager's fuzz target (ipc_manager.cpp), shared with the suite that
// replays its corpus in `make test` (tests/ipc/fuzz_replay_test.cpp).
//
// The input is what a hostile client would send after the handshake: a sequence of
// request frames' payloads. Each is decoded as a Request and, when it decodes,
// applied to a store, as the server does. The property: any input decodes or fails
// with DecodeError, and any request runs or fails with the error a reply carries
// (KeyError, IndexError, ValueError, TypeError, AttributeError, NotOwner,
// BrokenBarrierError): no crash, no hang, no sanitizer report, and no function
// address from the input is ever called. A call that would wait is attempted once
// as if its timeout had passed; one still waiting then (a condition's wait for its
// lock) is abandoned, as when its client leaves. Each request's owner and
// connection come from the input, so holds by several processes and threads, and
// their release when a connection closes, are exercised too.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/internal/manager_store.hpp"
#include "sync/errors.hpp"

namespace mp::ipc::fuzz {

// The connection a request comes on: 1 to 3, from its owner's thread number (the
// references are all counted on connection 1, as a session's home connection).
inline std::uint64_t connection_of(const internal::Request& request) { return 1 + request.owner.thread % 3; }

inline void apply(internal::ManagerStore& store, internal::Request& request) {
    using internal::RequestKind;
    switch (request.kind) {
        case RequestKind::create:
            if (request.code <= static_cast<std::uint8_t>(internal::StoredKind::last) && !request.args.empty())
                (void)store.create(1, static_cast<internal::StoredKind>(request.code), request.args[0]);
            break;
        case RequestKind::incref:
            store.incref(1, request.object);
            break;
        case RequestKind::decref:
            if (request.owner.thread == 7) {  // a connection that closes (its process's holds go with the last)
                (void)store.drop_client(2);
                (void)store.drop_client(3);
            } else {
                store.decref(1, request.object);
            }
            break;
        case RequestKind::call:
            if (request.code <= static_cast<std::uint8_t>(internal::Method::last)) {
                internal::WaitState state;
                const internal::Caller caller{connection_of(request), request.owner};
                if (!store.call(caller, request.object, static_cast<internal::Method>(request.code), request.args, false,
                                true, state))
                    store.abandon(request.object, state);
            }
            break;
    }
}

// Frames: a 2-byte little-endian length, then that many bytes of encoded Request.
inline void manager_requests(const std::uint8_t* data, std::size_t size) {
    internal::ManagerStore store;
    (void)store.create(1, internal::StoredKind::dict, Dict{{"k", 1}});  // object 1
    (void)store.create(1, internal::StoredKind::list, List{1, "a", 2.5});  // object 2
    while (size >= 2) {
        const std::size_t length = std::min<std::size_t>(size - 2, data[0] | (data[1] << 8));
        const auto frame = std::as_bytes(std::span(data + 2, length));
        data += 2 + length;
        size -= 2 + length;
        try {
            internal::Request request = decode<internal::Request>(frame);
            apply(store, request);
        } catch (const DecodeError&) {
        } catch (const KeyError&) {
        } catch (const IndexError&) {
        } catch (const sync::ValueError&) {
        } catch (const TypeError&) {
        } catch (const AttributeError&) {
        } catch (const internal::NotOwner&) {
        } catch (const sync::BrokenBarrierError&) {
        }
    }
    for (std::uint64_t connection = 1; connection <= 3; ++connection) (void)store.drop_client(connection);
    if (store.size() != 0) std::abort();  // every reference was the client's
}

}  // namespace mp::ipc::fuzz
