"""all-MiniLM-L6-v2 (the bundled model) as LangChain `Embeddings`: torch, safetensors and tokenizers only.

Written by hand on purpose: `import sentence_transformers` pulls in `transformers.modeling_utils`, which takes
6-8 s to import on the 2-core machines here (torch._dynamo, torch.distributed, scipy.stats, sympy …), most of
`corridor ask`'s cold start. The model is a 6-layer BERT with mean pooling and L2 normalisation
(`modules.json` of the package); this module runs the same forward pass on the same weights and tokenizer, and
tests/test_store_embeddings.py checks it against `SentenceTransformer.encode` to float precision. Other models
(a local sentence-transformers folder) still load through langchain-huggingface.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

import torch
from langchain_core.embeddings import Embeddings
from safetensors.torch import load_file
from tokenizers import Tokenizer

F = torch.nn.functional
QUERIES_KEPT = 256  # questions whose vector and token vectors embed_query keeps (~30 KB each)


@torch.inference_mode()
def _pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean pooling over the unmasked tokens, then L2 normalisation (the model's modules.json)."""
    weights = mask.unsqueeze(-1).to(x.dtype)
    pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    return F.normalize(pooled, dim=1)


def _tokens(x: torch.Tensor, mask: torch.Tensor, i: int) -> torch.Tensor:
    """Text i's token vectors in a batch's last layer, without [CLS] and [SEP] (and padding)."""
    return x[i, 1 : int(mask[i].sum()) - 1]


class MiniLMEmbeddings(Embeddings):
    """A sentence-transformers BERT folder (Transformer → mean Pooling → Normalize), encoded in torch."""

    def __init__(self, folder: str | Path, batch_size: int = 64) -> None:
        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if config.get("model_type") != "bert" or pooling.get("pooling_mode_mean_tokens") is not True:
            raise ValueError(f"{folder} is not a mean-pooled BERT sentence-transformers model")
        max_len = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length", 256)
        self.batch_size = batch_size
        self._hidden, self._heads = config["hidden_size"], config["num_attention_heads"]
        self._layers, self._eps = config["num_hidden_layers"], config["layer_norm_eps"]
        weights = load_file(str(folder / "model.safetensors"))
        self._w = {k.removeprefix("bert."): v for k, v in weights.items()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_len)
        self._tokenizer.enable_padding(pad_id=config.get("pad_token_id", 0))
        self._lock = threading.Lock()  # a tokenizer's padding/truncation state is shared: one batch at a time
        self._queries: OrderedDict[str, tuple[list[float], torch.Tensor]] = OrderedDict()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_with_tokens(texts, tokens=False)[0]

    def embed_with_tokens(self, texts: list[str], tokens: bool = True
                          ) -> tuple[list[list[float]], list[torch.Tensor] | None]:
        """`embed_documents`, and (with `tokens`) each text's `token_vectors` from the same forward pass: the
        answering core embeds a question's candidate sentences and later scores the chosen few word by word
        (answering/interaction.py), which would run them through the model a second time."""
        # Longest first in batches of similar length, as SentenceTransformer.encode does (less padding).
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        kept: list[torch.Tensor] = [torch.empty(0)] * len(texts)
        for s in range(0, len(order), self.batch_size):
            part = order[s : s + self.batch_size]
            x, mask = self._hidden_states([texts[i] for i in part])
            for j, (i, vector) in enumerate(zip(part, _pool(x, mask).tolist(), strict=True)):
                out[i] = vector
                if tokens:
                    kept[i] = _tokens(x, mask, j).clone()  # a copy: the batch is let go
        return out, kept if tokens else None

    def embed_query(self, text: str) -> list[float]:
        """The question's vector; kept with its token vectors for a while (LRU): retrieval, the baseline and
        the late-interaction scorer each ask for the same question."""
        with self._lock:
            hit = self._queries.get(text)
            if hit is not None:
                self._queries.move_to_end(text)
                return list(hit[0])
        x, mask = self._hidden_states([text])
        vector = _pool(x, mask)[0].tolist()
        with self._lock:
            self._queries[text] = (vector, _tokens(x, mask, 0).clone())
            while len(self._queries) > QUERIES_KEPT:
                self._queries.popitem(last=False)
        return list(vector)

    def forget_queries(self) -> None:
        """Drop the questions `embed_query` keeps (the benchmark's passes each embed theirs afresh)."""
        with self._lock:
            self._queries.clear()

    def token_vectors(self, texts: list[str]) -> list[torch.Tensor]:
        """Each text's contextual token vectors (the last layer, before pooling), without [CLS] and [SEP]:
        what sentence-transformers' `encode(output_value="token_embeddings")` gives, trimmed of those two.
        The answering core's late-interaction head reads them (answering/interaction.py). A question
        `embed_query` saw lately is not run through the model again."""
        with self._lock:
            found = {t: self._queries[t][1] for t in texts if t in self._queries}
        todo = [t for t in dict.fromkeys(texts) if t not in found]
        if todo:
            x, mask = self._hidden_states(todo)
            for i, t in enumerate(todo):
                found[t] = _tokens(x, mask, i)
        return [found[t] for t in texts]

    @torch.inference_mode()
    def _hidden_states(self, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """The last layer's vectors of each text's tokens (batch × length × hidden) and the attention mask."""
        w, hidden, eps = self._w, self._hidden, self._eps
        with self._lock:
            batch = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in batch])
        mask = torch.tensor([e.attention_mask for e in batch])
        types = torch.tensor([e.type_ids for e in batch])
        n, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][torch.arange(length)].unsqueeze(0)
             + w["embeddings.token_type_embeddings.weight"][types])
        x = F.layer_norm(x, (hidden,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        blocked = mask[:, None, None, :].bool()  # True: attend (padding is masked out)
        heads, size = self._heads, hidden // self._heads
        for layer in range(self._layers):
            p = f"encoder.layer.{layer}."

            def linear(name: str, t: torch.Tensor, p: str = p) -> torch.Tensor:
                return F.linear(t, w[p + name + ".weight"], w[p + name + ".bias"])

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(n, length, heads, size).transpose(1, 2)

            attended = F.scaled_dot_product_attention(
                split(linear("attention.self.query", x)), split(linear("attention.self.key", x)),
                split(linear("attention.self.value", x)), attn_mask=blocked,
            ).transpose(1, 2).reshape(n, length, hidden)
            norm = p + "attention.output.LayerNorm."
            x = F.layer_norm(linear("attention.output.dense", attended) + x, (hidden,), w[norm + "weight"],
                             w[norm + "bias"], eps)
            x = F.layer_norm(linear("output.dense", F.gelu(linear("intermediate.dense", x))) + x, (hidden,),
                             w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        return x, mask
