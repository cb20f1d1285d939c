# expect-function: dense_forward
# expect-hint: transposed_weight
def dense_forward(x, W, b):
    # W as (outputs, inputs), the way PyTorch's nn.Linear stores it
    return x @ W.T + b
