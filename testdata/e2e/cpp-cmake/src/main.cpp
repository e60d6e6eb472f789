// rpn: a reverse Polish notation calculator, e.g. `rpn 3 4 + 2 '*'` prints 14.
#include <exception>
#include <iostream>

#include "rpn.hpp"

int main(int argc, char **argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  if (tokens.empty()) {
    std::cerr << "usage: rpn TOKEN...   e.g. rpn 3 4 + 2 '*'\n";
    return 2;
  }
  try {
    std::cout << "= " << rpn::eval(tokens) << '\n';
  } catch (const std::exception &e) {
    std::cerr << "rpn: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
