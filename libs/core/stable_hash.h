// Hashes that are stable across processes, builds and machines (unlike absl::Hash), for ids that
// must be re-derived identically after a crash, and for Kafka-compatible partitioning.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace concerto::core {

// Murmur2Kafka is Kafka's default-partitioner hash (Java client murmur2, seed 0x9747b28c).
uint32_t Murmur2Kafka(std::string_view data);

// KafkaPartitionOf returns the partition Kafka's murmur2 partitioner picks for `key`; it is the
// shard of the aggregate with that key.
int KafkaPartitionOf(std::string_view key, int partitions);

// Murmur3x64_128 hashes `data` into two 64-bit words (seed 0).
struct Hash128 {
  uint64_t hi = 0;
  uint64_t lo = 0;
};
Hash128 Murmur3x64_128(std::string_view data);

// DeterministicId derives a 32-hex-character id from a parent id and a position or name, e.g.
// the id of the 2nd event the dunning service emits for input "e-17" is
// DeterministicId("e-17", "dunning/out/1").
std::string DeterministicId(std::string_view parent, std::string_view position);

// StableBucket maps `key` into [0, buckets) the same way everywhere (champion/challenger splits).
uint32_t StableBucket(std::string_view key, uint32_t buckets);

}  // namespace concerto::core
