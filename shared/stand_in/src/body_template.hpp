// A repository's JSON, rendered once and cut at its holes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sample_data.hpp"

namespace workbook::stand_in_parts {

// A repository's body, rendered once with nlohmann/json when the stand-in
// starts and cut at its holes: what differs per request (the scheme and
// Host the client used, which the API URLs point back at) or per made-up
// repository (its number) is pasted in by plain concatenation. Building the
// JSON per request cost about an eighth of the stand-in's CPU at 10,000
// requests.
class BodyTemplate {
  public:
    // The values for the holes of one answer.
    struct Values {
        std::string_view base;  // "http://127.0.0.1:8700"
        long long n = 0;        // workbook-bench/repo-N
    };

    BodyTemplate() = default;
    // `rendered` holds "{{base}}" and "{{n}}" inside strings; a whole string
    // "{{#n}}", "{{#id}}" is a number, and "{{node}}" the node id.
    explicit BodyTemplate(const std::string& rendered) {
        std::size_t at = 0;
        std::string literal;
        while (at < rendered.size()) {
            const auto open = rendered.find("{{", at);
            if (open == std::string::npos) break;
            const auto close = rendered.find("}}", open);
            const std::string_view name(rendered.data() + open + 2, close - open - 2);
            literal.append(rendered, at, open - at);
            at = close + 2;
            if (name.front() == '#') {  // a number: drop the quotes around it
                literal.pop_back();
                ++at;
            }
            parts_.push_back({std::move(literal), hole_of(name)});
            literal.clear();
        }
        literal.append(rendered, at);
        parts_.push_back({std::move(literal), Hole::none});
        for (const auto& p : parts_) size_ += p.text.size();
    }

    std::string render(const Values& v) const {
        std::string out;
        out.reserve(size_ + 8 * v.base.size() + 64);
        for (const auto& p : parts_) {
            out += p.text;
            switch (p.hole) {
                case Hole::none:
                    break;
                case Hole::base:
                    out += v.base;
                    break;
                case Hole::n:
                    out += std::to_string(v.n);
                    break;
                case Hole::id:
                    out += std::to_string(bench_first_id + v.n);
                    break;
                case Hole::node:
                    out += node_id("Repository", bench_first_id + v.n);
                    break;
            }
        }
        return out;
    }

  private:
    enum class Hole { none, base, n, id, node };
    struct Part {
        std::string text;  // then the hole
        Hole hole;
    };
    static Hole hole_of(std::string_view name) {
        if (name == "base") return Hole::base;
        if (name == "n" || name == "#n") return Hole::n;
        if (name == "#id") return Hole::id;
        if (name == "node") return Hole::node;
        throw std::logic_error("unknown hole in a body template: " + std::string(name));
    }
    std::vector<Part> parts_;
    std::size_t size_ = 0;
};

// The fields a client of GitHub's API commonly reads, in GitHub's order.
// `id` and `node` are JSON values or holes; the URLs of the API start at
// "{{base}}".
inline nlohmann::ordered_json repo_json(const Sample& s, const std::string& full_name,
                                        const nlohmann::ordered_json& id,
                                        const nlohmann::ordered_json& node,
                                        const nlohmann::ordered_json& stars, long long owner_id) {
    using ojson = nlohmann::ordered_json;
    const auto slash = full_name.find('/');
    const std::string owner = full_name.substr(0, slash);
    const std::string name = full_name.substr(slash + 1);
    const bool user = std::string_view(s.owner_type) == "User";
    const License* license = &licenses[0];
    for (const auto& l : licenses) {
        if (std::string_view(l.key) == s.license) license = &l;
    }
    ojson topics = ojson::array();
    for (std::string_view rest = s.topics; !rest.empty();) {
        const auto space = rest.find(' ');
        topics.push_back(std::string(rest.substr(0, space)));
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    const std::string api = "{{base}}/repos/" + full_name;
    const std::string web = "https://github.com/" + full_name;
    return ojson{
        {"id", id},
        {"node_id", node},
        {"name", name},
        {"full_name", full_name},
        {"private", false},
        {"owner",
         {{"login", owner},
          {"id", owner_id},
          {"node_id", node_id(user ? "User" : "Organization", owner_id)},
          {"type", s.owner_type},
          {"url", "{{base}}/users/" + owner},
          {"html_url", "https://github.com/" + owner},
          {"site_admin", false}}},
        {"html_url", web},
        {"description", s.description},
        {"fork", false},
        {"url", api},
        {"created_at", s.created_at},
        {"updated_at", "2026-11-01T08:00:00Z"},
        {"pushed_at", "2026-10-31T17:42:10Z"},
        {"git_url", "git://github.com/" + full_name + ".git"},
        {"ssh_url", "git@github.com:" + full_name + ".git"},
        {"clone_url", web + ".git"},
        {"homepage", *s.homepage ? ojson(s.homepage) : ojson(nullptr)},
        {"size", s.size_kb},
        {"stargazers_count", stars},
        {"watchers_count", stars},
        {"language", s.language},
        {"forks_count", s.forks},
        {"archived", false},
        {"disabled", false},
        {"open_issues_count", s.open_issues},
        {"license",
         {{"key", license->key},
          {"name", license->name},
          {"spdx_id", license->spdx_id},
          {"url", license->number == 0 ? ojson(nullptr)
                                       : ojson("{{base}}/licenses/" + std::string(license->key))},
          {"node_id", node_id("License", license->number)}}},
        {"topics", std::move(topics)},
        {"visibility", "public"},
        {"forks", s.forks},
        {"open_issues", s.open_issues},
        {"watchers", stars},
        {"default_branch", s.default_branch},
    };
}

}  // namespace workbook::stand_in_parts
