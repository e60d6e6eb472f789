#include "rpn.hpp"

#include <cmath>
#include <stdexcept>

namespace rpn {
double eval(const std::vector<std::string> &tokens) {
  std::vector<double> st;
  for (const auto &t : tokens) {
    if (t == "+" || t == "-" || t == "*" || t == "/" || t == "^") {
      if (st.size() < 2) throw std::runtime_error("stack underflow at '" + t + "'");
      double b = st.back(); st.pop_back();
      double a = st.back(); st.pop_back();
      switch (t[0]) {
        case '+': st.push_back(a + b); break;
        case '-': st.push_back(a - b); break;
        case '*': st.push_back(a * b); break;
        case '/': st.push_back(a / b); break;
        case '^': st.push_back(std::pow(a, b)); break;
      }
    } else {
      std::size_t used = 0;
      double v = std::stod(t, &used);
      if (used != t.size()) throw std::runtime_error("not a number: '" + t + "'");
      st.push_back(v);
    }
  }
  if (st.size() != 1) throw std::runtime_error("expected one result, have " + std::to_string(st.size()));
  return st.back();
}
}  // namespace rpn
