#include "manifest/loader.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "manifest/decode.h"
#include "manifest/field.h"
#include "manifest/yaml_tree.h"

namespace converge::manifest {
namespace fs = std::filesystem;

std::string Diagnostic::ToString() const {
  std::string out = location.ToString();
  auto append = [&out](const std::string& part) {
    if (part.empty()) return;
    if (!out.empty()) out += ": ";
    out += part;
  };
  append(kind.empty() ? "" : (name.empty() ? kind : kind + "/" + name));
  append(field);
  append(message);
  return out;
}

namespace {

struct SourceFile {
  std::string display;  // how diagnostics name the file
  std::string key;      // path relative to its root; what the revision hashes
  std::string bytes;
};

Diagnostic FileError(const std::string& file, std::string message) {
  return Diagnostic{.location = {file, 0, 0}, .message = std::move(message)};
}

// Not tied to a line: the path itself is the problem, and the message names it.
Diagnostic NoManifests(const std::string& path, const std::string& why) {
  return Diagnostic{.message = "no manifests found under " + path + ": " + why};
}

std::string TooLarge(uintmax_t size, const LoadOptions& options) {
  return "file is too large (" + std::to_string(size) + " bytes; the limit is " +
         std::to_string(options.max_file_bytes) + " bytes); split it into smaller files";
}

// The whole content of `path` into `out`; otherwise why it cannot be used.
// One open, fstat and read per file: a load of 10,000 manifests reads them all.
std::optional<std::string> ReadSource(const fs::path& path, const LoadOptions& options,
                                      std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "cannot read: " + std::error_code(errno, std::generic_category()).message();
  struct stat st {};
  std::optional<std::string> problem;
  if (::fstat(fd, &st) != 0) {
    problem = "cannot read: " + std::error_code(errno, std::generic_category()).message();
  } else if (static_cast<uintmax_t>(st.st_size) > options.max_file_bytes) {
    problem = TooLarge(static_cast<uintmax_t>(st.st_size), options);
  } else {
    // Its size as of fstat, and more if it grew since (up to the limit, and one past it).
    out->resize(static_cast<size_t>(st.st_size) + 1);
    size_t have = 0;
    while (!problem) {
      if (have == out->size()) {
        if (have > options.max_file_bytes) {
          problem = TooLarge(have, options);
          break;
        }
        out->resize(std::min(have * 2 + 4096, options.max_file_bytes + 1));
      }
      const ssize_t got = ::read(fd, out->data() + have, out->size() - have);
      if (got > 0) {
        have += static_cast<size_t>(got);
      } else if (got == 0) {
        break;
      } else if (errno != EINTR) {
        problem = "cannot read: " + std::error_code(errno, std::generic_category()).message();
      }
    }
    out->resize(have);
    if (!problem && have > options.max_file_bytes) problem = TooLarge(have, options);
  }
  ::close(fd);
  if (problem) out->clear();
  return problem;
}

// Runs work(i) for i in [0, n) on up to `threads` threads (this one included,
// and no more than the cores). An exception (std::bad_alloc: the work reports
// everything else) stops the rest and is rethrown here.
template <typename Work>
void ParallelFor(size_t threads, size_t n, const Work& work) {
  threads = std::min({threads, n, size_t{std::max(1u, std::thread::hardware_concurrency())}});
  std::atomic<size_t> next{0};
  std::vector<std::exception_ptr> failures(std::max<size_t>(threads, 1));
  auto run = [&](size_t worker) {
    try {
      for (size_t i; (i = next.fetch_add(1)) < n;) work(i);
    } catch (...) {
      failures[worker] = std::current_exception();
      next = n;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(run, t);
    run(0);
  }
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

// Lists the files under `paths`; problems become diagnostics.
std::vector<SourceFile> Collect(const std::vector<std::string>& paths, const LoadOptions& options,
                                std::vector<Diagnostic>* errors, bool* no_manifests) {
  struct Found {
    fs::path path;
    std::string display;
    std::string key;
    fs::path canonical;  // empty: found by weakly_canonical when read
  };
  std::vector<Found> found;
  for (const auto& arg : paths) {
    std::error_code ec;
    const fs::path root(arg);
    const fs::file_status status = fs::status(root, ec);
    if (ec || !fs::exists(status)) {
      errors->push_back(NoManifests(arg, "no such file or directory; check the path"));
      *no_manifests = true;
      continue;
    }
    if (fs::is_regular_file(status)) {
      found.push_back({root, arg, root.filename().generic_string()});
      continue;
    }
    if (!fs::is_directory(status)) {
      errors->push_back(FileError(arg, "not a regular file or directory"));
      continue;
    }
    const size_t before = found.size();
    // The walk descends into real directories only, so an entry that is not a
    // symlink is canonical below the canonical root: one realpath per root, not per file.
    const fs::path canonical_root = fs::weakly_canonical(root, ec);
    if (ec) ec.clear();
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      const std::string name = p.filename().native();  // filename() is a temporary
      if (IsHiddenName(name)) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (!IsManifestName(name) || !it->is_regular_file(ec)) continue;
      fs::path relative = p.lexically_relative(root);
      std::error_code link_ec;
      const bool plain = !canonical_root.empty() && !it->is_symlink(link_ec) && !link_ec;
      std::string key = relative.generic_string();
      found.push_back(
          {p, p.generic_string(), std::move(key), plain ? canonical_root / relative : fs::path()});
    }
    if (ec) {
      errors->push_back(FileError(arg, "cannot list directory: " + ec.message()));
    } else if (found.size() == before) {
      errors->push_back(
          NoManifests(arg,
                      "the directory holds no *.yaml or *.yml file (entries starting with . are "
                      "skipped); pass the directory that holds your manifests"));
      *no_manifests = true;
    }
  }

  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.display, a.key) < std::tie(b.display, b.key);
  });
  std::set<fs::path> seen;
  std::vector<const Found*> unique;
  for (const auto& f : found) {
    std::error_code ec;
    const fs::path canonical = f.canonical.empty() ? fs::weakly_canonical(f.path, ec) : f.canonical;
    if (seen.insert(ec ? f.path : canonical).second) unique.push_back(&f);
  }
  // Read on the loader's threads (the kernel's part of a read is most of it),
  // then kept or reported in order.
  std::vector<std::string> bytes(unique.size());
  std::vector<std::optional<std::string>> problems(unique.size());
  ParallelFor(options.threads, unique.size(), [&](size_t i) {
    problems[i] = ReadSource(unique[i]->path, options, &bytes[i]);
  });
  std::vector<SourceFile> files;
  files.reserve(unique.size());
  for (size_t i = 0; i < unique.size(); ++i) {
    if (problems[i]) {
      errors->push_back(FileError(unique[i]->display, *problems[i]));
      continue;
    }
    files.push_back({unique[i]->display, unique[i]->key, std::move(bytes[i])});
  }
  return files;
}

std::string Revision(std::vector<const SourceFile*> files) {
  std::sort(files.begin(), files.end(), [](const SourceFile* a, const SourceFile* b) {
    return std::tie(a->key, a->bytes) < std::tie(b->key, b->bytes);
  });
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const SourceFile* f : files) {
    const std::string header = f->key + '\0' + std::to_string(f->bytes.size()) + '\0';
    EVP_DigestUpdate(ctx, header.data(), header.size());
    EVP_DigestUpdate(ctx, f->bytes.data(), f->bytes.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < 6 && i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

// The 1-based column of the first tab in the leading whitespace of line `line`
// (0-based) of `text`, or 0 when that indentation has none.
int TabInIndentation(std::string_view text, int line) {
  if (line < 0) return 0;
  size_t start = 0;
  for (int i = 0; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return 0;
    ++start;
  }
  for (size_t i = start; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i) {
    if (text[i] == '\t') return static_cast<int>(i - start) + 1;
  }
  return 0;
}

// What the rules over the whole set need of one decoded document: its YAML tree,
// walked value and field locations are dropped as soon as it is decoded, and its
// model object goes to the set.
struct SetEntry {
  struct Position {
    int line = 0;
    int column = 0;
  };
  std::optional<Kind> kind;
  bool named = false;                 // metadata.name was seen
  const std::string* file = nullptr;  // the display name of its file
  // Where metadata.name, spec.provider and spec.notebook are (or their nearest ancestor).
  Position name_at, provider_at, notebook_at;
  std::string name;      // metadata.name when a string, else ""
  std::string provider;  // spec.provider when a string, else ""
  std::string notebook;  // spec.notebook when a string, else ""
  std::string type;      // spec.type when a string, else ""

  Location At(Position SetEntry::*at) const {
    return Location{*file, (this->*at).line, (this->*at).column};
  }
};

std::string Str(const nlohmann::json& value, const char* key) {
  if (!value.is_object()) return "";
  auto it = value.find(key);
  return it != value.end() && it->is_string() ? it->get<std::string>() : "";
}

// spec.KEY of a decoded document when it is a string, else "" (also when the
// document has no spec: a const json's operator[] must not be used for that).
std::string SpecStr(const DecodedDocument& doc, const char* key) {
  if (!doc.value.is_object()) return "";
  auto spec = doc.value.find("spec");
  return spec != doc.value.end() ? Str(*spec, key) : "";
}

SetEntry Compact(const DecodedDocument& doc, const std::string* file) {
  auto at = [&doc](const char* path) {
    const Location l = doc.LocationOf(path);
    return SetEntry::Position{l.line, l.column};
  };
  return SetEntry{.kind = doc.kind,
                  .named = doc.locations.count("metadata.name") > 0,
                  .file = file,
                  .name_at = at("metadata.name"),
                  .provider_at = at("spec.provider"),
                  .notebook_at = at("spec.notebook"),
                  .name = doc.name,
                  .provider = SpecStr(doc, "provider"),
                  .notebook = SpecStr(doc, "notebook"),
                  .type = SpecStr(doc, "type")};
}

// Parses and decodes every document of one file. A file with a syntax error
// contributes that error only.
void DecodeFile(const SourceFile& file, const LoadOptions& options, std::deque<SetEntry>* entries,
                std::deque<DecodedObject>* objects, LoadResult* result) {
  auto syntax_error = [&](const YAML::Mark& mark, const std::string& message) {
    Location loc{file.display, 0, 0};
    if (!mark.is_null() && mark.line >= 0) loc = {file.display, mark.line + 1, mark.column + 1};
    result->errors.push_back(Diagnostic{.location = loc, .message = "invalid YAML: " + message});
  };
  const YamlParseResult parsed = ParseYaml(file.bytes, options.max_nodes);
  if (parsed.error) {
    const YamlParseError& e = *parsed.error;
    switch (e.reason) {
      case YamlParseError::Reason::kBudget:
        syntax_error(e.mark, "the parser makes more than " + std::to_string(options.max_nodes) +
                                 " nodes of this file (malformed YAML, e.g. a line starting with "
                                 "',' outside [ ] or { }); check the syntax here");
        return;
      case YamlParseError::Reason::kTooDeep:
        syntax_error(e.mark, "nesting is too deep; flatten the document");
        return;
      case YamlParseError::Reason::kSyntax: {
        // yaml-cpp says "illegal map value" and the like where the cause is a tab.
        const int tab = e.mark.is_null() ? 0 : TabInIndentation(file.bytes, e.mark.line);
        if (tab > 0) {
          YAML::Mark at = e.mark;
          at.column = tab - 1;
          syntax_error(at, "tabs are not allowed in YAML indentation; indent with spaces");
        } else {
          syntax_error(e.mark, e.message);
        }
        return;
      }
      case YamlParseError::Reason::kOther:
        syntax_error(YAML::Mark::null_mark(), e.message);
        return;
    }
  }
  for (const YamlNode* root : parsed.file.documents) {
    if (root == nullptr || root->IsNull()) continue;  // empty or comment-only document
    ++result->documents;
    DecodedDocument doc = DecodeDocument(*root, file.display, options, &result->errors);
    entries->push_back(Compact(doc, &file.display));
    if (doc.ok) objects->push_back(std::move(doc.object));
  }
}

Diagnostic At(const SetEntry& doc, SetEntry::Position SetEntry::*at, const std::string& field,
              std::string message) {
  return Diagnostic{.location = doc.At(at),
                    .kind = doc.kind ? std::string(KindName(*doc.kind)) : "",
                    .name = doc.name,
                    .field = field,
                    .message = std::move(message)};
}

// Rules over the whole set: duplicate names and provider references.
void CheckSet(const std::deque<SetEntry>& docs, std::vector<Diagnostic>* errors) {
  using Group = std::vector<const SetEntry*>;
  auto report_duplicates = [&](const std::map<std::string, Group>& groups,
                               SetEntry::Position SetEntry::*at, const std::string& field,
                               auto message) {
    for (const auto& [key, members] : groups) {
      if (members.size() < 2) continue;
      for (size_t i = 0; i < members.size(); ++i) {
        const SetEntry* other = members[i == 0 ? 1 : 0];
        errors->push_back(At(
            *members[i], at, field,
            message(*members[i], *other) + " (also defined at " + other->At(at).ToString() + ")"));
      }
    }
  };

  std::map<std::string, const SetEntry*> providers;
  std::map<std::string, Group> provider_groups, resource_groups, notebook_groups;
  for (const auto& doc : docs) {
    if (!doc.kind || doc.name.empty() || !doc.named) continue;
    if (*doc.kind == Kind::kProvider) {
      providers.emplace(doc.name, &doc);
      provider_groups[doc.name].push_back(&doc);
      continue;
    }
    const std::string kind(KindName(*doc.kind));
    resource_groups[kind + '\0' + doc.provider + '\0' + doc.name].push_back(&doc);
    if (*doc.kind == Kind::kNotebookService && !doc.notebook.empty()) {
      notebook_groups[doc.provider + '\0' + doc.notebook].push_back(&doc);
    }
  }
  report_duplicates(provider_groups, &SetEntry::name_at, "metadata.name",
                    [](const SetEntry& d, const SetEntry&) {
                      return "duplicate Provider name \"" + d.name + "\"";
                    });
  report_duplicates(resource_groups, &SetEntry::name_at, "metadata.name",
                    [](const SetEntry& d, const SetEntry&) {
                      return "duplicate " + std::string(KindName(*d.kind)) + " name \"" + d.name +
                             "\" in provider \"" + d.provider + "\"";
                    });
  report_duplicates(notebook_groups, &SetEntry::notebook_at, "spec.notebook",
                    [](const SetEntry& d, const SetEntry& other) {
                      return "notebook \"" + d.notebook + "\" is also used by NotebookService \"" +
                             other.name + "\"; a notebook runs one custom service";
                    });

  std::vector<std::string> provider_names;
  for (const auto& [name, doc] : providers) provider_names.push_back(name);
  for (const auto& doc : docs) {
    if (!doc.kind || *doc.kind == Kind::kProvider) continue;
    const std::string& ref = doc.provider;
    if (ref.empty()) continue;
    const std::string wanted = *doc.kind == Kind::kTiOneNotebook ? "tione" : "scnet";
    auto it = providers.find(ref);
    if (it == providers.end()) {
      const std::string guess = ClosestMatch(ref, provider_names);
      errors->push_back(At(doc, &SetEntry::provider_at, "spec.provider",
                           "Provider \"" + ref + "\" not found" +
                               (guess.empty() ? "; define a " + wanted + " Provider with that name"
                                              : " (did you mean \"" + guess + "\"?)")));
      continue;
    }
    const std::string& type = it->second->type;
    if (!type.empty() && type != wanted) {
      errors->push_back(At(doc, &SetEntry::provider_at, "spec.provider",
                           "Provider \"" + ref + "\" has type " + type + "; a " +
                               std::string(KindName(*doc.kind)) + " needs a " + wanted +
                               " provider"));
    }
  }
}

// DecodeFile over every file, in blocks of files shared by up to options.threads
// threads; the blocks' results are joined in file order, so the result is the
// one of a single thread. Each file's bytes are freed once it is decoded.
void DecodeFiles(std::vector<SourceFile>& files, const LoadOptions& options,
                 std::deque<SetEntry>* entries, std::deque<DecodedObject>* objects,
                 LoadResult* result) {
  constexpr size_t kBlock = 64;  // files
  struct Block {
    std::deque<SetEntry> entries;
    std::deque<DecodedObject> objects;
    LoadResult result;  // errors and documents
  };
  const size_t blocks = (files.size() + kBlock - 1) / kBlock;
  if (std::min(options.threads, blocks) <= 1) {
    for (auto& file : files) {
      DecodeFile(file, options, entries, objects, result);
      std::string().swap(file.bytes);
    }
    return;
  }
  std::vector<Block> done(blocks);
  ParallelFor(options.threads, blocks, [&](size_t b) {
    for (size_t i = b * kBlock; i < std::min(files.size(), (b + 1) * kBlock); ++i) {
      DecodeFile(files[i], options, &done[b].entries, &done[b].objects, &done[b].result);
      std::string().swap(files[i].bytes);
    }
  });
  for (Block& block : done) {
    std::move(block.entries.begin(), block.entries.end(), std::back_inserter(*entries));
    std::move(block.objects.begin(), block.objects.end(), std::back_inserter(*objects));
    std::move(block.result.errors.begin(), block.result.errors.end(),
              std::back_inserter(result->errors));
    result->documents += block.result.documents;
    block = Block();
  }
}

LoadResult Finish(std::vector<SourceFile> files, const LoadOptions& options, LoadResult result) {
  result.files = files.size();
  std::vector<const SourceFile*> sources;
  for (const auto& f : files) sources.push_back(&f);
  result.manifests.revision = Revision(sources);  // before the bytes are freed
  // Deques: a set of 10,000 grows without the copies and double peak of a vector's.
  std::deque<SetEntry> docs;
  std::deque<DecodedObject> objects;  // of the documents without errors, in order
  DecodeFiles(files, options, &docs, &objects, &result);
  CheckSet(docs, &result.errors);
  docs.clear();
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.location.file, a.location.line, a.location.column) <
                            std::tie(b.location.file, b.location.line, b.location.column);
                   });
  const size_t providers = std::count_if(objects.begin(), objects.end(), [](const auto& o) {
    return std::holds_alternative<Provider>(o);
  });
  result.manifests.providers.reserve(providers);
  result.manifests.resources.reserve(objects.size() - providers);
  for (; !objects.empty(); objects.pop_front()) {  // frees the deque as the vectors fill
    std::visit(
        [&result](auto& object) {
          using T = std::decay_t<decltype(object)>;
          if constexpr (std::is_same_v<T, Provider>) {
            result.manifests.providers.push_back(std::move(object));
          } else if constexpr (!std::is_same_v<T, std::monostate>) {
            result.manifests.resources.push_back(std::move(object));
          }
        },
        objects.front());
  }
  return result;
}

}  // namespace

bool IsHiddenName(std::string_view name) { return name.starts_with("."); }

bool IsManifestName(std::string_view name) {
  return name.ends_with(".yaml") || name.ends_with(".yml");
}

LoadResult LoadPaths(const std::vector<std::string>& paths, const LoadOptions& options) {
  LoadResult result;
  std::vector<SourceFile> files;
  try {
    files = Collect(paths, options, &result.errors, &result.no_manifests);
  } catch (const std::exception& e) {
    result.errors.push_back(FileError("", std::string("cannot read manifests: ") + e.what()));
    return result;
  }
  result = Finish(std::move(files), options, std::move(result));
  if (result.ok() && result.documents == 0) {
    std::string all;
    for (const auto& p : paths) all += (all.empty() ? "" : ", ") + p;
    result.errors.push_back(
        NoManifests(all, "the files hold no YAML document (only comments or nothing)"));
    result.no_manifests = true;
  }
  return result;
}

LoadResult LoadString(std::string_view yaml, std::string_view filename,
                      const LoadOptions& options) {
  LoadResult result;
  const std::string name(filename);
  if (yaml.size() > options.max_file_bytes) {
    result.errors.push_back(FileError(name, TooLarge(yaml.size(), options)));
    return result;
  }
  return Finish({SourceFile{name, name, std::string(yaml)}}, options, std::move(result));
}

}  // namespace converge::manifest
