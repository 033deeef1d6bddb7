extension Tokenizer {
    /// Tokens that end a completion: the tokenizer's EOS plus the ChatML, end-of-text and Llama 3
    /// end-of-turn markers when the vocabulary has them (as llama.cpp's end-of-generation set).
    public var endOfGenerationTokenIds: Set<Int32> {
        var ids = Set(["<|im_end|>", "<|endoftext|>", "<|eot_id|>"].compactMap { tokenId($0) })
        if let eos = eosTokenId { ids.insert(eos) }
        return ids
    }
}
