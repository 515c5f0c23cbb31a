// Early-return helpers for absl::Status / absl::StatusOr (Debian's Abseil 20220623 has none).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CONCERTO_STATUS_CONCAT_INNER_(a, b) a##b
#define CONCERTO_STATUS_CONCAT_(a, b) CONCERTO_STATUS_CONCAT_INNER_(a, b)

// CONCERTO_RETURN_IF_ERROR returns the status of `expr` from the enclosing function if not OK.
#define CONCERTO_RETURN_IF_ERROR(expr)              \
  do {                                              \
    ::absl::Status concerto_status_ = (expr);       \
    if (!concerto_status_.ok()) return concerto_status_; \
  } while (0)

// CONCERTO_ASSIGN_OR_RETURN(lhs, expr) evaluates a StatusOr, returns its status on error, else
// moves its value into `lhs` (which may be a declaration: `auto x`).
#define CONCERTO_ASSIGN_OR_RETURN(lhs, expr) \
  CONCERTO_ASSIGN_OR_RETURN_IMPL_(CONCERTO_STATUS_CONCAT_(concerto_statusor_, __LINE__), lhs, expr)
#define CONCERTO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
