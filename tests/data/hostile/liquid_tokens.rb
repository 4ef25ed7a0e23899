# Liquid's own tokens of each text (Liquid 5, as Jekyll 4.3 loads it): the pieces that
# Liquid::Tokenizer cuts the text into and that start a tag or an output. Used by
# tests/test_security_render.py to hold postlingo.security's reading to Liquid's.
# stdin: a JSON array of strings; stdout: a JSON array of arrays of strings.
require "json"
require "liquid"

tokens = JSON.parse($stdin.read).map do |text|
  tokenizer = Liquid::Tokenizer.new(text)
  found = []
  while (token = tokenizer.shift)
    found << token if token.start_with?("{{", "{%")
  end
  found
end
$stdout.write(JSON.generate(tokens))
