// The attributes a list reports of one cloud resource, by API field name: a
// sorted flat map. A list item carries about ten; as nodes of a std::map they
// cost about 1 KiB an item, which at 10,000 resources is what a sweep held.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace converge::cloud {

class Attributes {
 public:
  using value_type = std::pair<std::string, std::string>;
  using const_iterator = std::vector<value_type>::const_iterator;

  Attributes() = default;
  Attributes(std::initializer_list<value_type> items) {
    for (const auto& [key, value] : items) (*this)[key] = value;
  }

  void reserve(size_t n) { items_.reserve(n); }
  // Adds key = value unless key is present (as std::map::emplace).
  void emplace(std::string key, std::string value) {
    if (items_.empty() || items_.back().first < key) {  // keys coming in order
      items_.emplace_back(std::move(key), std::move(value));
      return;
    }
    auto it = LowerBound(key);
    if (it != items_.end() && it->first == key) return;
    items_.emplace(it, std::move(key), std::move(value));
  }
  std::string& operator[](std::string_view key) {
    auto it = LowerBound(key);
    if (it == items_.end() || it->first != key) it = items_.emplace(it, std::string(key), "");
    return it->second;
  }
  // Throws std::out_of_range when key is absent (as std::map::at).
  const std::string& at(std::string_view key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("no attribute " + std::string(key));
    return it->second;
  }
  const_iterator find(std::string_view key) const {
    auto it =
        std::lower_bound(items_.begin(), items_.end(), key,
                         [](const value_type& item, std::string_view k) { return item.first < k; });
    return it != items_.end() && it->first == key ? it : items_.end();
  }
  size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  bool operator==(const Attributes&) const = default;

 private:
  std::vector<value_type>::iterator LowerBound(std::string_view key) {
    return std::lower_bound(
        items_.begin(), items_.end(), key,
        [](const value_type& item, std::string_view k) { return item.first < k; });
  }

  std::vector<value_type> items_;  // sorted by key, keys unique
};

}  // namespace converge::cloud
