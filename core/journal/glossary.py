"""The journal's Korean-English glossary, and the query expansion that lets search cross languages.

The terms are those of the day's source (the student's Korean blog post about week 1, day 4:
lectures on CNN and RNN first steps, the BPTT assignment, the mentor meeting, the master class
and the retrospective) with their English terms, plus a few standard terms the notes use that
the post wrote in English only (`in_source=False`, e.g. 합성곱 for convolution).

`term_groups(query)` turns a search query into groups of alternatives: a note matches a group
when it contains any of them. A query word (or a run of up to four words, e.g. "vanishing
gradient") that names a glossary term brings every spelling of that term along, so searching
역전파 finds the notes written in English and "backpropagation" finds notes written in Korean.
Lookup is exact after casefolding, with hyphens and underscores read as spaces (tags such as
vanishing-gradient), a trailing English plural "s" dropped, and a trailing Korean particle
(역전파를, 커널의) dropped when that yields a term. Forms shorter than three characters are never
used as English alternatives ("AI" would match inside "said").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import pandas as pd

TOPICS = ("CNN", "RNN", "assignment", "mentoring", "master class", "the day")
_MAX_PHRASE_WORDS = 4
_PARTICLES = ("에서", "으로", "을", "를", "이", "가", "은", "는", "의", "에", "로", "와", "과", "도")
_SEPARATORS = re.compile(r"[-_]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass(frozen=True)
class Term:
    """One glossary entry: the Korean term, its English term, other spellings in either language
    (each found by search too), the topic it belongs to, and whether the day's source uses it."""

    korean: str
    english: str
    also: tuple[str, ...] = ()
    topic: str = "the day"
    in_source: bool = True

    @property
    def forms(self) -> tuple[str, ...]:
        """Every spelling, Korean first."""
        return (self.korean, self.english, *self.also)


def _terms(topic: str, rows: Iterable[tuple]) -> tuple[Term, ...]:
    return tuple(Term(*row[:3], topic=topic, in_source=row[3] if len(row) > 3 else True) for row in rows)


GLOSSARY: tuple[Term, ...] = (
    *_terms("CNN", [
        ("합성곱", "convolution", ("컨볼루션", "합성곱 연산"), False),
        ("합성곱 신경망", "convolutional neural network", ("CNN",), False),
        ("커널", "kernel", ("filter",)),
        ("합성함수", "composite function", ()),
        ("다층신경망", "multilayer perceptron", ("MLP", "multi-layer perceptron", "다층 퍼셉트론")),
        ("뉴런", "neuron", ()),
        ("선형모델", "linear model", ("선형 모델",)),
        ("활성함수", "activation function", ("활성화 함수",)),
        ("완전 연결", "fully connected", ("모두 연결된", "fully-connected")),
        ("입력벡터", "input vector", ("입력 벡터",)),
        ("가중치", "weight", ()),
        ("가중치 행렬", "weight matrix", ()),
        ("파라미터", "parameter", ("매개변수",)),
        ("선형변환", "linear transformation", ("선형 변환", "linear map")),
        ("신호", "signal", ()),
        ("국소적", "local", ("locality", "국소성")),
        ("필터링", "filtering", ()),
        # The source's 정보를 추출: a kernel pulls information (features) out of a signal. Not the NLP
        # task "information extraction".
        ("정보 추출", "extracting information", ("추출", "feature extraction", "extracts information")),
        ("정의역", "domain", ()),
        ("이동 불변성", "translation invariance", ("translation invariant",), False),
        ("이동 등변성", "translation equivariance", ("translation equivariant", "equivariance"), False),
        ("차원", "dimension", ()),
        ("음성", "speech", ("audio",)),
        ("텍스트", "text", ()),
        ("흑백 영상", "grayscale image", ("greyscale image", "흑백 이미지")),
        ("컬러 영상", "colour image", ("color image", "컬러 이미지")),
        ("입력행렬", "input matrix", ("입력 행렬",)),
        ("좌표", "coordinate", ()),
        ("출력 크기", "output size", ()),
        ("채널", "channel", ()),
        ("텐서", "tensor", ()),
        ("역전파", "backpropagation", ("backprop", "backward pass")),
        ("편미분", "partial derivative", ()),
        ("미분", "derivative", ("differentiation",)),
        ("교차상관", "cross-correlation", ("cross correlation", "상호상관"), False),
        ("패딩", "padding", (), False),
        ("스트라이드", "stride", (), False),
        ("팽창 합성곱", "dilated convolution", ("dilation", "팽창"), False),
        ("풀링", "pooling", (), False),
    ]),
    *_terms("RNN", [
        ("시퀀스 데이터", "sequence data", ("시퀀스데이터", "sequential data")),
        ("시퀀스", "sequence", ()),
        ("소리", "sound", ()),
        ("문자열", "string", ()),
        ("주가", "stock price", ()),
        ("독립동등분포", "independent and identically distributed", ("i.i.d.", "iid")),
        ("확률분포", "probability distribution", ("확률 분포",)),
        ("조건부확률", "conditional probability", ("조건부 확률",)),
        ("자기회귀모델", "autoregressive model", ("자기회귀", "자기회귀 모델", "autoregressive")),
        ("잠재 자기회귀 모델", "latent autoregressive model", ("잠재 AR 모델", "latent AR model")),
        ("잠재변수", "latent variable", ("잠재 변수",)),
        ("인코딩", "encoding", ("encode",)),
        ("가변 길이", "variable length", ("가변적",)),
        ("순환 신경망", "recurrent neural network", ("RNN", "순환신경망"), False),
        ("은닉 상태", "hidden state", ("hidden variable",), False),
        ("시간에 따른 역전파", "backpropagation through time", ("BPTT",), False),
        ("연결그래프", "computational graph", ("unrolled graph", "계산 그래프")),
        ("기울기", "gradient", ("그래디언트",)),
        ("기울기 소실", "vanishing gradient", ("vanishing gradients",)),
        ("기울기 폭발", "exploding gradient", ("exploding gradients",), False),
        ("해결책", "remedy", ("remedies", "solution")),
        ("불안정", "unstable", ("instability", "불안정해지므로")),
    ]),
    *_terms("assignment", [
        ("과제", "assignment", ()),
        ("선택과제", "optional assignment", ("선택 과제",)),
        ("개인과제", "individual assignment", ("개인 과제", "individual study")),
        ("변수", "variable", ()),
        ("테스트코드", "test code", ("테스트 코드", "tests")),
        ("규칙", "rule", ()),
        ("노드", "node", ()),
        ("오타", "typo", ()),
    ]),
    *_terms("mentoring", [
        ("피어세션", "peer session", ("피어 세션", "peer-session")),
        ("멘토", "mentor", ("멘토님",)),
        ("멘토링", "mentoring", ()),
        ("자기소개", "introduction", ("introductions", "introduced themselves")),
        ("학부생", "undergraduate", ()),
        ("취준생", "job seeker", ("job-hunting", "취업준비생")),
        ("진로", "career path", ("career",)),
        ("협업", "collaboration", ("collaborating",)),
        ("실험관리", "experiment management", ("실험 관리",)),
        ("리눅스", "Linux", ()),
        ("취업", "getting a job", ("employment",)),
        ("창업", "starting a company", ("startup",)),
        ("해외 유학", "studying abroad", ("유학",)),
        ("해외 취업", "working abroad", ()),
        ("개발자 영어", "English for developers", ("English as a developer",)),
        ("회의록", "meeting minutes", ("minutes",)),
        ("노션", "Notion", ()),
        ("알고리즘", "algorithm", ()),
        ("백준", "Baekjoon", ()),
        ("질문", "question", ()),
    ]),
    *_terms("master class", [
        ("마스터클래스", "master class", ("masterclass", "마스터 클래스")),
        ("인공지능", "artificial intelligence", ()),
        ("수학", "mathematics", ("math",)),
        ("선형대수", "linear algebra", ("선형 대수",)),
        ("확률론", "probability theory", ()),
        ("통계학", "statistics", ("통계",)),
        ("용어의 정의", "definition", ("definitions", "정의")),
        ("예제", "example", ("examples",)),
        ("커뮤니티", "community", ("communities",)),
        ("논문 구현", "implementing papers", ("paper implementation", "implement papers")),
        ("오픈소스 기여", "open-source contribution", ("open source", "open-source", "오픈소스")),
        ("대학원생", "graduate student", ("graduate degree",)),
        ("학사", "bachelor's degree", ("bachelor's", "bachelor")),
        ("석사", "master's degree", ("master's",)),
        ("박사", "PhD", ("doctorate",)),
        # 학석박 abbreviates 학사·석사·박사: the three degrees together, not a spelling of 학사.
        ("학석박", "bachelor's, master's and PhD degrees", ("bachelor's, master's and PhD", "all three degrees")),
        ("교과서", "textbook", ()),
        ("위키피디아", "Wikipedia", ()),
    ]),
    *_terms("the day", [
        ("강의", "lecture", ()),
        ("강의 정리", "lecture notes", ("lecture summary", "lecture summaries")),
        ("데일리 회고", "daily retrospective", ()),
        ("회고", "retrospective", ()),
        ("부스트캠프", "boostcamp", ("bootcamp",)),
        ("코어타임", "core time", ("코어 타임",)),
        ("캠퍼", "camper", ("캠퍼님",)),
        ("슬랙", "Slack", ()),
        ("퀴즈", "quiz", ()),
        ("응원", "encouragement", ("cheering",)),
        ("자괴감", "self-doubt", ("not good enough",)),
        ("복습", "review", ("reviewing",)),
    ]),
)
"""Every term, grouped by topic (see TOPICS)."""


def _key(text: str) -> str:
    """The lookup form of a word or phrase: casefolded, hyphens and underscores as spaces."""
    return " ".join(_SEPARATORS.sub(" ", text).casefold().split())


def _index(terms: Iterable[Term]) -> dict[str, tuple[str, ...]]:
    """lookup form -> the alternatives a query naming it should match (casefolded forms)."""
    index: dict[str, list[str]] = {}
    for term in terms:
        alternatives = [form.casefold() for form in term.forms if _HANGUL.search(form) or len(form) >= 3]
        for form in term.forms:
            index.setdefault(_key(form), []).extend(alternatives)
    return {key: tuple(dict.fromkeys(values)) for key, values in index.items()}


_INDEX = _index(GLOSSARY)


def lookup(phrase: str) -> tuple[str, ...]:
    """The alternatives for one word or phrase that names a glossary term, else ()."""
    key = _key(phrase)
    if not key:
        return ()
    for candidate in _candidates(key):
        if candidate in _INDEX:
            return _INDEX[candidate]
    return ()


def _candidates(key: str) -> list[str]:
    """The key itself, then without an English plural s, then without a Korean particle."""
    candidates = [key]
    if key.endswith("s") and len(key) > 3:
        candidates.append(key[:-1])
    for particle in _PARTICLES:
        if key.endswith(particle) and len(key) > len(particle):
            candidates.append(key[: -len(particle)])
    return candidates


def term_groups(query: str) -> list[tuple[str, ...]]:
    """The query's terms as groups of alternatives (casefolded); duplicates removed.

    Runs of up to four words that name a glossary term become one group holding every spelling
    of that term (longest run first); any other word is a group of itself.
    """
    words = query.split()
    groups: list[tuple[str, ...]] = []
    start = 0
    while start < len(words):
        for length in range(min(_MAX_PHRASE_WORDS, len(words) - start), 0, -1):
            phrase = " ".join(words[start : start + length])
            alternatives = lookup(phrase)
            if alternatives:
                group = tuple(dict.fromkeys((phrase.casefold(), *alternatives)))
                start += length
                break
        else:
            group = (words[start].casefold(),)
            start += 1
        if group not in groups:
            groups.append(group)
    return groups


def table() -> pd.DataFrame:
    """The glossary for display: columns 한국어, English, also, topic, in the day's source."""
    return pd.DataFrame({
        "한국어": [term.korean for term in GLOSSARY],
        "English": [term.english for term in GLOSSARY],
        "also": [", ".join(term.also) for term in GLOSSARY],
        "topic": [term.topic for term in GLOSSARY],
        "in the day's source": [term.in_source for term in GLOSSARY],
    })
