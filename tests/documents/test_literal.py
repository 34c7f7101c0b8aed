import markdown

from eiso.documents.literal import protect_template_text


def render(text: str) -> str:
    return markdown.markdown(protect_template_text(text))


def test_template_text_survives_markdown_unchanged():
    payload = "{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    assert payload in render(f"Thử {payload} nhé").replace("&#39;", "'")


def test_code_is_left_alone():
    assert "<code>{{ a__b__c }}</code>" in render("`{{ a__b__c }}`")
    fenced = render("```\n{{ x__y__ }}\n```")
    assert "\\_" not in fenced


def test_text_outside_templates_keeps_markdown():
    assert "<strong>đậm</strong>" in render("__đậm__ và {{ x }}")
