"""Batched constrained decoding: several photos decoded together give each
owner the recipe, or the failure, they would have got alone."""

import inspect
import json
import weakref

import pytest
import torch
import xgrammar as xgr
from transformers import LogitsProcessorList

from vision import GenerationIncomplete, GenerationOptions, GenerationRequest, Recipe, VisionConfig, backend_create
from vision.batch_constraint import BatchConstraint, RowSpec, _ListedMasks
from vision.constraint import bitmask_word
from vision.tiny import ARCHITECTURES, tiny_checkpoint_build

from .test_constraint import _spelled, _spelling
from .test_schema import VALID


@pytest.fixture(scope="module")
def batching_backend(models_dir):
    # One torch thread: the tests share two cores with others.
    config = VisionConfig(models_dir=models_dir, model="tiny", max_new_tokens=320, batch_size=4, torch_threads=1)
    return backend_create(config)


def _requests(photos):
    # Different photos, prompts, languages and budgets; one request with two
    # photos, one whose budget cannot hold a recipe.
    return [
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=300)),
        GenerationRequest([photos["recipe_card.png"]], GenerationOptions(mode="recipe_card", language="my")),
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=24)),
        GenerationRequest(
            [photos["no_food.webp"], photos["recipe_card.png"]], GenerationOptions(mode="dish_photo", language="bn")
        ),
    ]


def _alone(backend, request):
    try:
        return backend.generate(request.images, request.options)
    except GenerationIncomplete as error:
        return error


@pytest.fixture(scope="module")
def decoded(batching_backend, photos):
    requests = _requests(photos)
    return [_alone(batching_backend, request) for request in requests], batching_backend.generate_batch(requests)


def test_it_gives_each_photo_in_a_batch_the_recipe_it_gets_alone(decoded):
    alone, together = decoded

    assert all(isinstance(alone[index], Recipe) for index in (0, 1, 3))
    assert together[0] == alone[0]
    assert together[1] == alone[1] and together[1].language == "my"
    assert together[3] == alone[3] and together[3].language == "bn"


def test_it_fails_only_the_request_that_ran_out_of_budget(decoded):
    alone, together = decoded

    assert isinstance(alone[2], GenerationIncomplete) and isinstance(together[2], GenerationIncomplete)
    assert all(isinstance(result, Recipe) for index, result in enumerate(together) if index != 2)


def test_it_counts_each_rows_own_tokens_and_stops_counting_when_it_finishes(batching_backend, photos):
    seen = {"short": [], "long": []}
    requests = [
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=24, on_token=seen["short"].append)),
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=240, on_token=seen["long"].append)),
    ]

    batching_backend.generate_batch(requests)

    assert seen["short"] == list(range(24))
    assert seen["long"][:30] == list(range(30)) and len(seen["long"]) > 24


def test_it_stops_the_whole_batch_when_one_owner_stops_it(batching_backend, photos):
    class Shutdown(Exception):
        pass

    others = []

    def stop_at_five(tokens):
        if tokens == 5:
            raise Shutdown

    requests = [
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(on_token=others.append)),
        GenerationRequest([photos["recipe_card.png"]], GenerationOptions(on_token=stop_at_five)),
    ]

    with pytest.raises(Shutdown):
        batching_backend.generate_batch(requests)
    assert len(others) <= 6


def test_it_samples_a_seeded_request_in_a_batch_as_it_would_alone(batching_backend, photos):
    # transformers samples a whole generate() call from one seed: a seeded
    # request (the worker's retry) decodes in a call of its own.
    sampled = GenerationRequest(
        [photos["recipe_card.png"]], GenerationOptions(language="ur", temperature=0.7, seed=11, max_new_tokens=240)
    )
    greedy = GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=240))

    results = batching_backend.generate_batch([greedy, sampled])

    alone = _alone(batching_backend, sampled)
    assert results[1] == alone if isinstance(alone, Recipe) else isinstance(results[1], GenerationIncomplete)


def test_it_decodes_one_at_a_time_on_a_cpu_by_default(tiny_backend, batching_backend):
    assert tiny_backend.batch_size == 1
    assert batching_backend.batch_size == 4


def test_a_finished_rows_mask_allows_only_the_stop_tokens(tiny_backend):
    # Driven as generate() drives it: processor, token choice, stopping
    # criterion. Row 0 runs out of budget after 5 tokens, row 1 writes a recipe.
    grammar = tiny_backend.grammar
    whole = _spelled(
        grammar, tiny_backend.processor.tokenizer, json.dumps(VALID, ensure_ascii=False), tiny_backend.stop_token_ids
    )
    constraint = grammar.processor([RowSpec(budget=5), RowSpec(budget=len(whole))])
    logits = _spelling(whole, grammar.vocab_size)
    ids = torch.zeros((2, 1), dtype=torch.long)
    for step in range(len(whole)):
        scores = constraint(ids, logits[step].repeat(2, 1))
        if step >= 5:
            assert set(torch.nonzero(scores[0] > float("-inf")).flatten().tolist()) <= grammar.stop_token_ids
        ids = torch.cat([ids, scores.argmax(-1)[:, None]], dim=1)
        if constraint.stopping_criterion(ids, None).all():
            break

    assert constraint.rows[0].done and constraint.rows[0].accepted == 5
    assert constraint.rows[1].accepted == len(whole)
    with pytest.raises(GenerationIncomplete):
        constraint.answer(ids[0, 1:6].tolist(), 0)
    assert constraint.answer(ids[1, 1:].tolist(), 1).title == VALID["title"]


def test_forced_text_costs_no_fill_and_its_mask_allows_only_the_steered_token(tiny_backend):
    # A model that means to write a recipe, driven step by step. Where the
    # grammar forces the text, the row is not filled: its scores allow the
    # one token the constraint steers to. At every step the bitmask (what an
    # accelerator applies) allows exactly what the CPU path allowed.
    grammar = tiny_backend.grammar
    text = json.dumps(VALID, ensure_ascii=False)
    whole = _spelled(grammar, tiny_backend.processor.tokenizer, text, tiny_backend.stop_token_ids)
    constraint = grammar.processor([RowSpec(budget=len(whole))])
    forced_steps = 0
    for step, token in enumerate(whole):
        scores = constraint(torch.tensor([[0, *whole[:step]]]), _spelling([token], grammar.vocab_size)[:1])
        allowed = torch.nonzero(scores[0] > float("-inf")).flatten().tolist()
        by_bitmask = torch.zeros((1, grammar.vocab_size))
        xgr.apply_token_bitmask_inplace(by_bitmask, constraint.host["bitmask"][:1])
        assert torch.nonzero(by_bitmask[0] > float("-inf")).flatten().tolist() == allowed
        if not constraint.filled:
            assert allowed == [token]
            forced_steps += 1

    assert constraint.answer(whole).title == VALID["title"]
    # Keys, quotes, colons and brackets: over half of a recipe's steps.
    assert forced_steps >= len(whole) // 2, (forced_steps, len(whole))


def test_transformers_finds_the_processors_signature_derived_once(tiny_backend):
    # transformers inspects `processor.__call__` at every step; the
    # constraint, and any subclass of it, answers with a signature derived
    # once, without a reference cycle, and calls still reach its class.
    class Timed(BatchConstraint):
        calls = 0

        def __call__(self, input_ids, scores):
            Timed.calls += 1
            return super().__call__(input_ids, scores)

    for kind in (BatchConstraint, Timed):
        constraint = kind(tiny_backend.grammar, [RowSpec(budget=8)], greedy=True)
        assert "__signature__" in vars(constraint.__call__)
        assert list(inspect.signature(constraint.__call__).parameters) == ["input_ids", "scores"]
        scores = torch.zeros((1, tiny_backend.grammar.vocab_size))
        masked = LogitsProcessorList([constraint])(torch.zeros((1, 1), dtype=torch.long), scores)
        opening = xgr.GrammarMatcher(tiny_backend.grammar.compiled).find_jump_forward_string()
        assert masked.argmax().item() == tiny_backend.grammar.forced_token(opening)  # the answer's forced start
        alive = weakref.ref(constraint)
        del constraint
        assert alive() is None  # freed at once, not at the next garbage collection
    assert Timed.calls == 1


def test_forced_text_is_written_with_its_longest_token_each_text_looked_up_once(tiny_backend):
    grammar = tiny_backend.grammar

    def longest(text):  # what the grammar's lookup must give, by brute force
        spelled = [token for spelling, token in grammar.token_ids.items() if text[:32].startswith(spelling)]
        return max(spelled, key=lambda token: len(grammar.token_bytes[token]), default=None)

    # The last has no token: a lone surrogate spells none.
    texts = ['", "ingredients": [', '"}', ", ", '"title": "', "ab" * 40, "\ud800"]
    first = [grammar.forced_token(text) for text in texts]

    assert first == [longest(text) for text in texts]
    assert first[-1] is None and first[0] is not None
    grammar.token_ids[texts[1]] = -1  # a changed vocabulary is not seen again: the answer was kept
    try:
        assert [grammar.forced_token(text) for text in texts] == first
    finally:
        del grammar.token_ids[texts[1]]


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_it_batches_rows_of_different_photos_with_every_qwen_vl_processor(models_dir, photos, arch):
    path = tiny_checkpoint_build(models_dir, arch=arch)
    backend = backend_create(VisionConfig(models_dir=models_dir, model=str(path), batch_size=2, torch_threads=1))
    requests = [
        GenerationRequest([photos["recipe_card.png"], photos["dish.jpg"]], GenerationOptions(max_new_tokens=320)),
        GenerationRequest([photos["no_food.webp"]], GenerationOptions(mode="dish_photo", max_new_tokens=320)),
    ]

    together = backend.generate_batch(requests)

    assert together == [backend.generate(request.images, request.options) for request in requests]


def test_it_masks_in_place_from_buffers_made_once_per_decode(tiny_backend):
    grammar = tiny_backend.grammar
    constraint = grammar.processor([RowSpec(budget=40), RowSpec(budget=40)])
    buffers = {name: tensor.data_ptr() for name, tensor in constraint.on_device.items()}
    ids = torch.zeros((2, 1), dtype=torch.long)
    for _ in range(30):
        scores = torch.randn(2, grammar.vocab_size)
        masked = constraint(ids, scores)
        assert masked is scores  # edited in place, not copied
        ids = torch.cat([ids, masked.argmax(-1)[:, None]], dim=1)
        constraint.stopping_criterion(ids, None)

    assert {name: tensor.data_ptr() for name, tensor in constraint.on_device.items()} == buffers
    assert grammar.closing_bias.device == tiny_backend.device
    assert tiny_backend.grammar.processor(budget=40).grammar.closing_bias is grammar.closing_bias


def test_greedy_decoding_checks_the_best_token_first_and_writes_what_masking_every_step_writes(
    batching_backend, photos
):
    # On a CPU a greedy decode fills and masks only the rows whose best token
    # the grammar refuses; the tokens must be those of masking every row at
    # every step. Budgets of 300 put the last 150 steps in the closing reserve.
    requests = [
        GenerationRequest([photos["dish.jpg"]], GenerationOptions(max_new_tokens=300)),
        GenerationRequest([photos["recipe_card.png"]], GenerationOptions(mode="recipe_card", max_new_tokens=300)),
    ]
    inputs = batching_backend._inputs_batch(requests)
    rows = [RowSpec(budget=300), RowSpec(budget=300)]
    grammar = batching_backend.grammar
    checking, masking = grammar.processor(rows, greedy=True), grammar.processor(rows)

    checked = batching_backend._generate(inputs, checking, 300, 0.0)
    masked = batching_backend._generate(inputs, masking, 300, 0.0)

    assert checking.check_first and not masking.check_first
    assert torch.equal(checked, masked)
    assert any(row.wrapping for row in masking.rows)
    assert checking.fills < masking.fills / 2, (checking.fills, masking.fills)


@pytest.mark.parametrize("criterion", [True, False])
def test_a_checked_token_that_is_not_chosen_is_given_back(tiny_backend, criterion):
    # Greedy decoding on a CPU accepts a row's best token to check it, and
    # keeps it. Here another token is chosen each time (a caller's own
    # choice): the matcher gives the checked one back and takes the chosen
    # one, whether the stopping criterion reads the tokens or the processor
    # catches up itself (then the answer reads the last, checked already).
    # The best token is a quote: kept by mistake, it would end the string
    # the row is inside.
    grammar, tokenizer = tiny_backend.grammar, tiny_backend.processor.tokenizer
    whole = _spelled(grammar, tokenizer, json.dumps(VALID, ensure_ascii=False), tiny_backend.stop_token_ids)
    (decoy,) = tokenizer.encode('"', add_special_tokens=False)
    constraint = grammar.processor([RowSpec(budget=len(whole))], greedy=True)
    ids, given_back = torch.zeros((1, 1), dtype=torch.long), 0
    for step, token in enumerate(whole):
        best = decoy if step < len(whole) - 1 else token  # the stop token is taken as checked
        constraint(ids, _spelling([best], grammar.vocab_size)[:1])
        given_back += constraint.rows[0].ahead == decoy != token
        ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
        if criterion:
            constraint.stopping_criterion(ids, None)

    assert constraint.check_first and given_back > 10, given_back
    assert constraint.rows[0].error is None and constraint.rows[0].done == criterion
    assert constraint.answer(whole).title == VALID["title"]


@pytest.mark.parametrize("narrower", [0, 64])
def test_the_closing_bias_goes_only_to_rows_inside_their_reserve(tiny_backend, narrower):
    # On a CPU only the bias's nonzero entries are added; where the logits
    # are narrower than the grammar's vocabulary the dense bias is cut to fit.
    grammar = tiny_backend.grammar
    constraint = grammar.processor([RowSpec(budget=40), RowSpec(budget=40), RowSpec(budget=40)])
    constraint.rows[0].wrapping = True
    constraint.host["wrap_up"][0, 0] = 1.0
    constraint.rows[2].wrapping = constraint.rows[2].done = True  # finished: never biased
    width = grammar.vocab_size - narrower
    work = torch.randn(3, width)
    expected = work.clone()
    expected[0] += grammar.closing_bias[:width]

    constraint._bias(work, constraint.host["wrap_up"])

    assert torch.equal(work, expected)
    assert int((grammar.closing_bias != 0).sum()) == len(grammar.closing_ids) > 0


VOCAB = 40_000  # over twice _ListedMasks.LISTED: masks too dense to list either way exist


@pytest.mark.parametrize("allowed_share", [0.001, 0.5, 0.999])
@pytest.mark.parametrize("width", [VOCAB - 100, VOCAB, VOCAB + 100])
@pytest.mark.filterwarnings("ignore:The bitmask covers only")  # the wider logits, on purpose
@pytest.mark.parametrize("greedy", [False, True])
def test_a_listed_mask_masks_as_xgrammars_kernel_does(allowed_share, width, greedy):
    """A mask is listed when first seen and read from its list after that:
    each time the logits come out as the kernel's (for greedy decoding, with
    the same best token), whether few tokens are allowed, few forbidden or
    neither (left to the kernel), and where the logits are narrower or wider
    than the bitmask."""
    generator = torch.Generator().manual_seed(7)
    allowed = torch.rand(VOCAB, generator=generator) < allowed_share
    allowed[[5, 37, 38, VOCAB - 1]] = allowed_share > 0.01  # the edges of a word
    bitmask = _bitmask(allowed)
    listed = _ListedMasks()

    used = []
    for _ in range(3):
        logits = torch.randn(width, generator=generator)
        expected = logits.clone().unsqueeze(0)
        xgr.apply_token_bitmask_inplace(expected, bitmask.unsqueeze(0))
        used.append(listed.apply(logits, bitmask, greedy=greedy))
        if not used[-1]:
            xgr.apply_token_bitmask_inplace(logits.unsqueeze(0), bitmask.unsqueeze(0))
        if greedy:
            assert int(logits.argmax()) == int(expected[0].argmax())
        else:
            assert torch.equal(logits, expected[0])

    assert used == [allowed_share != 0.5] * 3
    assert len(listed.entries) == 1


def _bitmask(allowed: torch.Tensor) -> torch.Tensor:
    """Token i allowed -> bit i % 32 of word i // 32."""
    words = (allowed.view(-1, 32).to(torch.int64) << torch.arange(32)).sum(dim=1)
    return torch.tensor([bitmask_word(int(word)) for word in words], dtype=torch.int32)
