# Renders texts as Jekyll 4.3 renders a post's body: Liquid first (Liquid 5, error mode
# "warn", as Jekyll configures it), then Jekyll's own kramdown converter with Jekyll's
# default options (input GFM). Used by tests/test_security_render.py, one call a batch.
#
# stdin: a JSON array of strings. stdout: a JSON array of {"html": ...} or {"error": ...}.
# Every variable under site/page/layout renders as <var data-liquid="site.x"></var> and
# every include as <dfn data-include="name"></dfn>: what Liquid ran is visible in the HTML.
require "cgi"
require "json"
require "jekyll"

class Probe < Liquid::Drop
  def initialize(path)
    super()
    @path = path
  end

  def liquid_method_missing(name)
    Probe.new("#{@path}.#{name}")
  end

  def to_s
    %(<var data-liquid="#{CGI.escapeHTML(@path)}"></var>)
  end
end

class ProbeInclude < Liquid::Tag
  def initialize(tag_name, markup, parse_context)
    super
    @markup = markup.strip
  end

  def render(_context)
    %(<dfn data-include="#{CGI.escapeHTML(@markup)}"></dfn>)
  end
end

Liquid::Template.register_tag("include", ProbeInclude)
Liquid::Template.register_tag("include_relative", ProbeInclude)
Liquid::Template.error_mode = :warn
config = Jekyll::Configuration.from({})
markdown = Jekyll::Converters::Markdown.new(config)
variables = %w[site page layout paginator jekyll content].to_h { |name| [name, Probe.new(name)] }

results = JSON.parse($stdin.read).map do |text|
  template = Liquid::Template.parse(text, line_numbers: true)
  body = template.render!(variables, strict_variables: false, strict_filters: false)
  { "html" => markdown.convert(body) }
rescue StandardError => e
  { "error" => "#{e.class}: #{e.message}" }
end
$stdout.write(JSON.generate(results))
