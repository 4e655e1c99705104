// Tokenizer and recursive-descent parser. Depth is bounded so hostile input cannot blow the
// stack; every failure is a message, never an exception.
#include <cctype>
#include <charconv>
#include <map>
#include <utility>

#include "formula.hpp"

namespace airtable_local {

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxLength = 64 * 1024;
// Operator chains build left-deep trees without recursion in the parser, but evaluating and
// freeing them recurses: a cap on nodes keeps that depth bounded too.
constexpr int kMaxNodes = 1000;

struct Arity {
  int min;
  int max;  // -1: any number
};

const std::map<std::string, Arity, std::less<>>& functions() {
  static const std::map<std::string, Arity, std::less<>> table{
      {"AND", {1, -1}},          {"OR", {1, -1}},           {"NOT", {1, 1}},
      {"IF", {2, 3}},            {"BLANK", {0, 0}},         {"TRUE", {0, 0}},
      {"FALSE", {0, 0}},         {"LOWER", {1, 1}},         {"UPPER", {1, 1}},
      {"FIND", {2, 3}},          {"SEARCH", {2, 3}},        {"LEN", {1, 1}},
      {"IS_AFTER", {2, 2}},      {"IS_BEFORE", {2, 2}},     {"DATETIME_PARSE", {1, 3}},
      {"DATETIME_DIFF", {2, 3}}, {"NOW", {0, 0}},           {"TODAY", {0, 0}},
      {"RECORD_ID", {0, 0}},     {"CONCATENATE", {1, -1}},  {"TRIM", {1, 1}},
      {"CREATED_TIME", {0, 0}},  {"LAST_MODIFIED_TIME", {0, -1}},
  };
  return table;
}

using NodePtr = std::unique_ptr<FormulaNode>;

class Parser {
 public:
  Parser(std::string_view text, const Table& table) : s_(text), table_(table) {}

  std::expected<NodePtr, std::string> run() {
    if (s_.size() > kMaxLength) return std::unexpected("the formula is too long");
    auto node = comparison(0);
    if (!node) return std::unexpected(node.error());
    skip_space();
    if (pos_ != s_.size()) return fail("unexpected text");
    return node;
  }

 private:
  std::string_view s_;
  const Table& table_;
  size_t pos_ = 0;
  int nodes_ = 0;

  std::unexpected<std::string> fail(const std::string& what) const {
    return std::unexpected(what + " at character " + std::to_string(pos_ + 1));
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  bool eat(std::string_view op) {
    skip_space();
    if (s_.substr(pos_, op.size()) == op) {
      pos_ += op.size();
      return true;
    }
    return false;
  }

  NodePtr make_node() {
    ++nodes_;
    return std::make_unique<FormulaNode>();
  }

  NodePtr binary(std::string op, NodePtr l, NodePtr r) {
    auto n = make_node();
    n->kind = FormulaNode::Kind::Binary;
    n->text = std::move(op);
    n->args.push_back(std::move(l));
    n->args.push_back(std::move(r));
    return n;
  }

  std::expected<NodePtr, std::string> comparison(int depth) {
    auto left = concat(depth);
    if (!left) return std::unexpected(left.error());
    for (;;) {
      std::string op;
      // Two-character operators first, so "<=" is not read as "<".
      for (const char* candidate : {"!=", "<>", "<=", ">=", "=", "<", ">"}) {
        if (eat(candidate)) {
          op = candidate;
          break;
        }
      }
      if (op.empty()) return left;
      if (op == "<>") op = "!=";
      auto right = concat(depth);
      if (!right) return std::unexpected(right.error());
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  std::expected<NodePtr, std::string> concat(int depth) {
    auto left = additive(depth);
    if (!left) return std::unexpected(left.error());
    while (eat("&")) {
      auto right = additive(depth);
      if (!right) return std::unexpected(right.error());
      left = binary("&", std::move(*left), std::move(*right));
    }
    return left;
  }

  std::expected<NodePtr, std::string> additive(int depth) {
    auto left = term(depth);
    if (!left) return std::unexpected(left.error());
    for (;;) {
      std::string op = eat("+") ? "+" : eat("-") ? "-" : "";
      if (op.empty()) return left;
      auto right = term(depth);
      if (!right) return std::unexpected(right.error());
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  std::expected<NodePtr, std::string> term(int depth) {
    auto left = unary(depth);
    if (!left) return std::unexpected(left.error());
    for (;;) {
      std::string op = eat("*") ? "*" : eat("/") ? "/" : "";
      if (op.empty()) return left;
      auto right = unary(depth);
      if (!right) return std::unexpected(right.error());
      left = binary(op, std::move(*left), std::move(*right));
    }
  }

  std::expected<NodePtr, std::string> unary(int depth) {
    if (depth > kMaxDepth || nodes_ > kMaxNodes) return fail("the formula is nested too deeply");
    if (eat("-")) {
      auto inner = unary(depth + 1);
      if (!inner) return std::unexpected(inner.error());
      auto n = make_node();
      n->kind = FormulaNode::Kind::Negate;
      n->args.push_back(std::move(*inner));
      return n;
    }
    return primary(depth + 1);
  }

  std::expected<NodePtr, std::string> primary(int depth) {
    skip_space();
    if (pos_ >= s_.size()) return fail("unexpected end of formula");
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto inner = comparison(depth);
      if (!inner) return std::unexpected(inner.error());
      if (!eat(")")) return fail("missing ')'");
      return inner;
    }
    if (c == '\'' || c == '"') return string_literal();
    if (c == '{') return field_reference();
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number_literal();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return call(depth);
    return fail(std::string("unexpected character '") + c + "'");
  }

  std::expected<NodePtr, std::string> string_literal() {
    char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
        char e = s_[pos_ + 1];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        pos_ += 2;
      } else {
        out += s_[pos_++];
      }
    }
    if (pos_ >= s_.size()) return fail("unterminated string");
    ++pos_;
    auto n = make_node();
    n->kind = FormulaNode::Kind::Text;
    n->text = std::move(out);
    return n;
  }

  std::expected<NodePtr, std::string> field_reference() {
    ++pos_;
    std::string name;
    while (pos_ < s_.size() && s_[pos_] != '}') {
      // A backslash escapes the next character, so a name may hold "}" written as "\}".
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      name += s_[pos_++];
    }
    if (pos_ >= s_.size()) return fail("unterminated field reference");
    ++pos_;
    const Field* f = table_.find_field(name);
    if (!f) return std::unexpected("Unknown field names: " + name);
    auto n = make_node();
    n->kind = FormulaNode::Kind::Field;
    n->text = f->id;
    return n;
  }

  std::expected<NodePtr, std::string> number_literal() {
    double value = 0;
    auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), value);
    if (ec != std::errc()) return fail("bad number");
    pos_ = static_cast<size_t>(end - s_.data());
    auto n = make_node();
    n->kind = FormulaNode::Kind::Number;
    n->number = value;
    return n;
  }

  std::expected<NodePtr, std::string> call(int depth) {
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    auto fn = functions().find(name);
    if (fn == functions().end()) return fail("unknown function " + name);
    auto n = make_node();
    n->kind = FormulaNode::Kind::Call;
    n->text = name;
    if (!eat("(")) {
      // TRUE and FALSE may be written without parentheses.
      if (name == "TRUE" || name == "FALSE") return n;
      return fail("expected '(' after " + name);
    }
    if (!eat(")")) {
      do {
        auto arg = comparison(depth);
        if (!arg) return std::unexpected(arg.error());
        n->args.push_back(std::move(*arg));
      } while (eat(","));
      if (!eat(")")) return fail("missing ')' after the arguments of " + name);
    }
    int count = static_cast<int>(n->args.size());
    if (count < fn->second.min || (fn->second.max >= 0 && count > fn->second.max))
      return fail("wrong number of arguments to " + name);
    // LAST_MODIFIED_TIME({A}, {B}) names the fields whose changes count; only field references
    // make sense there, as in Airtable.
    if (name == "LAST_MODIFIED_TIME") {
      for (const auto& arg : n->args)
        if (arg->kind != FormulaNode::Kind::Field)
          return fail("LAST_MODIFIED_TIME takes field references only");
    }
    return n;
  }
};

}  // namespace

std::expected<Formula, std::string> Formula::parse(std::string_view text, const Table& table) {
  auto root = Parser(text, table).run();
  if (!root) return std::unexpected(root.error());
  Formula f;
  f.root_ = std::move(*root);
  return f;
}

}  // namespace airtable_local
