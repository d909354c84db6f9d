// to_object / from_object: C++ values to Objects and back, for the typed proxies of a
// Manager (Manager::dict<K, V>() and the others in manager_typed.hpp).
//
//   bool, the integer types (not char), float, double   <->  bool, int, float
//   std::string (and what converts to one), Bytes        <->  str, bytes
//   std::optional<T>                                     <->  None or T's
//   std::vector<T>                                       <->  list
//   std::map<K, V>, std::unordered_map<K, V>             <->  dict
//   Object                                               <->  itself
//
// from_object throws TypeError for an Object of another kind (a str where an int is
// wanted) and sync::ValueError for an int that does not fit the integer type asked
// for: a value is never silently cut. Another type is a compile-time error naming it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ipc/object.hpp"
#include "sync/errors.hpp"

namespace mp::ipc {

namespace internal {
template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;
template <class T>
inline constexpr bool is_vector = false;
template <class T, class A>
inline constexpr bool is_vector<std::vector<T, A>> = true;
template <class T>
inline constexpr bool is_map = false;
template <class K, class V, class C, class A>
inline constexpr bool is_map<std::map<K, V, C, A>> = true;
template <class K, class V, class H, class E, class A>
inline constexpr bool is_map<std::unordered_map<K, V, H, E, A>> = true;
template <class T>
inline constexpr bool is_integer = std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>;
template <class>
inline constexpr bool unsupported = false;
}  // namespace internal

template <class T>
Object to_object(const T& value) {
    if constexpr (std::is_same_v<T, Object> || std::is_same_v<T, Bytes> || std::is_same_v<T, bool> ||
                  std::is_same_v<T, double> || internal::is_integer<T>) {
        return Object(value);
    } else if constexpr (std::is_same_v<T, float>) {
        return Object(static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
        return Object(std::string_view(value));
    } else if constexpr (internal::is_optional<T>) {
        return value ? to_object(*value) : Object(None{});
    } else if constexpr (internal::is_vector<T>) {
        List list;
        list.reserve(value.size());
        for (const auto& item : value) list.push_back(to_object(item));
        return list;
    } else if constexpr (internal::is_map<T>) {
        Dict dict;
        for (const auto& [key, item] : value) dict.set(to_object(key), to_object(item));
        return dict;
    } else {
        static_assert(internal::unsupported<T>, "mp::ipc::to_object: no Object form for this type");
    }
}

template <class T>
T from_object(const Object& value) {
    if constexpr (std::is_same_v<T, Object>) {
        return value;
    } else if constexpr (std::is_same_v<T, bool>) {
        return value.as_bool();
    } else if constexpr (internal::is_integer<T>) {
        const std::int64_t number = value.as_int();
        if (!std::in_range<T>(number))
            throw sync::ValueError("ipc: " + value.repr() + " does not fit the integer type asked for");
        return static_cast<T>(number);
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(value.as_float());
    } else if constexpr (std::is_same_v<T, std::string>) {
        return value.as_string();
    } else if constexpr (std::is_same_v<T, Bytes>) {
        return value.as_bytes();
    } else if constexpr (internal::is_optional<T>) {
        if (value.is_none()) return std::nullopt;
        return from_object<typename T::value_type>(value);
    } else if constexpr (internal::is_vector<T>) {
        T out;
        out.reserve(value.as_list().size());
        for (const Object& item : value.as_list()) out.push_back(from_object<typename T::value_type>(item));
        return out;
    } else if constexpr (internal::is_map<T>) {
        T out;
        value.as_dict().for_each([&](const Object& key, const Object& item) {
            out.emplace(from_object<typename T::key_type>(key), from_object<typename T::mapped_type>(item));
        });
        return out;
    } else {
        static_assert(internal::unsupported<T>, "mp::ipc::from_object: no Object form for this type");
    }
}

}  // namespace mp::ipc
