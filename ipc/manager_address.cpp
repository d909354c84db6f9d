#include "ipc/manager_address.hpp"

#include <charconv>

namespace mp::ipc {

std::string TcpAddress::str() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<TcpAddress> TcpAddress::parse(std::string_view text) {
    if (is_socket_path(text)) return std::nullopt;
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6 without brackets
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
        return std::nullopt;
    return TcpAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace mp::ipc
