require "bigdecimal"
require "ledger/ledger_sqlite"

module Ledger
  VERSION = "0.2.0"

  # Book is a double-entry ledger: every transaction moves an amount (in cents) between accounts.
  class Book
    def initialize(path = ":memory:")
      @db = DB.new(path)
      @db.execute(<<~SQL)
        CREATE TABLE IF NOT EXISTS entry (
          id INTEGER PRIMARY KEY, day TEXT NOT NULL, memo TEXT NOT NULL,
          debit TEXT NOT NULL, credit TEXT NOT NULL, cents INTEGER NOT NULL CHECK (cents > 0))
      SQL
    end

    def post(day, memo, debit:, credit:, amount:)
      cents = (BigDecimal(amount.to_s) * 100).to_i
      @db.execute("INSERT INTO entry(day, memo, debit, credit, cents) VALUES (?, ?, ?, ?, ?)",
                  day, memo, debit, credit, cents)
    end

    def balances
      @db.execute(<<~SQL).map { |acct, cents| [acct, cents / 100.0] }
        SELECT acct, SUM(cents) FROM (
          SELECT debit AS acct, cents FROM entry
          UNION ALL SELECT credit, -cents FROM entry)
        GROUP BY acct ORDER BY acct
      SQL
    end
  end
end
