#include "libs/platform/runtime/config.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "libs/platform/runtime/internal/string_view.h"
#include "yaml-cpp/yaml.h"

extern char** environ;

namespace concerto::platform {
namespace {

constexpr std::string_view kEnvPrefix = "CONCERTO_";

// A flag key is kebab-case: lower-case letters, digits, '-', '.', '_'; starts with a letter/digit.
bool ValidFlagKey(std::string_view key) {
  if (key.empty() || !absl::ascii_isalnum(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::Status FlattenYaml(const YAML::Node& node, const std::string& prefix,
                         std::map<std::string, std::string>& out) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      if (!prefix.empty()) out[prefix] = "";
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      if (prefix.empty()) {
        return absl::InvalidArgumentError("config file: the top level must be a map of keys");
      }
      out[prefix] = node.Scalar();
      return absl::OkStatus();
    case YAML::NodeType::Sequence: {
      if (prefix.empty()) {
        return absl::InvalidArgumentError("config file: the top level must be a map of keys");
      }
      std::vector<std::string> items;
      for (const YAML::Node& item : node) {
        if (item.IsNull()) continue;
        if (!item.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat("config file: key '", prefix,
                           "' holds a sequence of non-scalars; only scalars are supported"));
        }
        items.push_back(item.Scalar());
      }
      out[prefix] = absl::StrJoin(items, ",");
      return absl::OkStatus();
    }
    case YAML::NodeType::Map:
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(
              absl::StrCat("config file: a key under '", prefix, "' is not a scalar"));
        }
        const std::string key =
            prefix.empty() ? entry.first.Scalar() : absl::StrCat(prefix, ".", entry.first.Scalar());
        absl::Status s = FlattenYaml(entry.second, key, out);
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status LoadYamlFile(const std::string& path, std::map<std::string, std::string>& out) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("config file '", path, "' cannot be opened: ", std::strerror(errno)));
  }
  std::stringstream content;
  content << in.rdbuf();
  try {
    YAML::Node root = YAML::Load(content.str());
    absl::Status s = FlattenYaml(root, "", out);
    if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", s.message()));
    return absl::OkStatus();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "' is not valid YAML: ", e.what()));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file '", path, "' cannot be read: ", e.what()));
  }
}

}  // namespace

std::string Config::EnvVarName(std::string_view key) {
  std::string name(kEnvPrefix);
  for (char c : key) {
    name.push_back((c == '-' || c == '.') ? '_'
                                          : absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

absl::StatusOr<Config> Config::Load(int argc, char** argv,
                                    std::map<std::string, std::string> defaults) {
  // Flags first (they decide the config file), merged last.
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i] == nullptr ? std::string_view() : std::string_view(argv[i]);
    if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
      break;
    }
    if (arg.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", argv[i],
                       "': flags are --key=value or --key; put positional arguments after --"));
    }
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    std::string_view key = arg.substr(0, eq);
    if (!ValidFlagKey(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "malformed flag '", argv[i], "': expected --key=value with a lower-case kebab-case key"));
    }
    flags[std::string(key)] =
        eq == std::string_view::npos ? "true" : std::string(arg.substr(eq + 1));
  }

  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.substr(0, kEnvPrefix.size()) != kEnvPrefix) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == kEnvPrefix.size()) continue;
    env[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
  }

  // The config file: --config, else $CONCERTO_CONFIG, else a `config` default.
  std::string config_file;
  if (auto it = flags.find("config"); it != flags.end()) {
    config_file = it->second;
  } else if (auto it = env.find(EnvVarName("config")); it != env.end()) {
    config_file = it->second;
  } else if (auto it = defaults.find("config"); it != defaults.end()) {
    config_file = it->second;
  }
  std::map<std::string, std::string> yaml;
  if (!config_file.empty()) {
    absl::Status s = LoadYamlFile(config_file, yaml);
    if (!s.ok()) return s;
  }

  Config config;
  for (auto& [k, v] : defaults) config.values_[k] = v;
  for (auto& [k, v] : yaml) config.values_[k] = v;
  // Known keys read their own variable; any other CONCERTO_X_Y adds key x-y.
  std::vector<std::string> known;
  for (const auto& [k, v] : config.values_) known.push_back(k);
  for (const auto& [k, v] : flags) known.push_back(k);
  for (const std::string& key : known) {
    auto it = env.find(EnvVarName(key));
    if (it == env.end()) continue;
    config.values_[key] = it->second;
    env.erase(it);
  }
  for (const auto& [name, value] : env) {
    std::string key = absl::AsciiStrToLower(name.substr(kEnvPrefix.size()));
    for (char& c : key) {
      if (c == '_') c = '-';
    }
    config.values_[key] = value;
  }
  for (auto& [k, v] : flags) config.values_[k] = v;
  config.positional_ = std::move(positional);
  return config;
}

Config Config::FromMap(std::map<std::string, std::string> values,
                       std::vector<std::string> positional) {
  Config config;
  for (auto& [k, v] : values) config.values_[k] = std::move(v);
  config.positional_ = std::move(positional);
  return config;
}

const std::string* Config::Find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

bool Config::Has(std::string_view key) const { return Find(key) != nullptr; }

std::string Config::GetString(std::string_view key, std::string_view fallback) const {
  const std::string* v = Find(key);
  return v == nullptr ? std::string(fallback) : *v;
}

absl::StatusOr<int64_t> Config::GetInt(std::string_view key, int64_t fallback) const {
  const std::string* v = Find(key);
  if (v == nullptr) return fallback;
  int64_t out = 0;
  if (!absl::SimpleAtoi(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config key '", internal::AbslView(key), "': '", *v, "' is not an integer"));
  }
  return out;
}

absl::StatusOr<double> Config::GetDouble(std::string_view key, double fallback) const {
  const std::string* v = Find(key);
  if (v == nullptr) return fallback;
  double out = 0;
  if (!absl::SimpleAtod(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config key '", internal::AbslView(key), "': '", *v, "' is not a number"));
  }
  return out;
}

absl::StatusOr<bool> Config::GetBool(std::string_view key, bool fallback) const {
  const std::string* v = Find(key);
  if (v == nullptr) return fallback;
  const std::string s = absl::AsciiStrToLower(absl::StripAsciiWhitespace(*v));
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("config key '", internal::AbslView(key), "': '", *v,
                   "' is not a boolean (true/false, 1/0, yes/no, on/off)"));
}

absl::StatusOr<absl::Duration> Config::GetDuration(std::string_view key,
                                                   absl::Duration fallback) const {
  const std::string* v = Find(key);
  if (v == nullptr) return fallback;
  absl::Duration out;
  if (!absl::ParseDuration(absl::StripAsciiWhitespace(*v), &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config key '", internal::AbslView(key), "': '", *v,
                     "' is not a duration (e.g. \"500ms\", \"2s\", \"1h30m\")"));
  }
  return out;
}

}  // namespace concerto::platform
