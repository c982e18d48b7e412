#pragma once
// Result<T, E> is a small value-or-error type shaped like std::expected (C++23), so it can
// become one when the compiler has it. Errors are values at library boundaries (STYLE.md 7).

#include <string>
#include <utility>
#include <variant>

namespace backfill::ledger {

// Error is the common error value: a stable machine-readable `code` (tests assert it) and a
// message for a person that says what, where and what to do.
struct Error {
    std::string code;
    std::string message;
};

template <class E>
struct Unexpected {
    E error;
};

template <class E>
Unexpected<std::decay_t<E>> unexpected(E&& e) { return {std::forward<E>(e)}; }

inline Unexpected<Error> fail(std::string code, std::string message)
{
    return {Error{std::move(code), std::move(message)}};
}

template <class T, class E = Error>
class Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Unexpected<E> e) : m_v(std::in_place_index<1>, std::move(e.error)) {}

    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const E& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, E> m_v;
};

template <class E>
class Result<void, E> {
public:
    Result() = default;
    Result(Unexpected<E> e) : m_error(std::move(e.error)), m_ok(false) {}
    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const E& error() const { return m_error; }

private:
    E m_error{};
    bool m_ok = true;
};

} // namespace backfill::ledger
