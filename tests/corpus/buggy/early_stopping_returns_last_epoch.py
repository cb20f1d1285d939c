# expect-function: early_stopping_epoch
# expect-hint: early_stopping_returns_last_epoch
def early_stopping_epoch(val_losses, patience, min_delta):
    best, wait = None, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best is None or loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, epoch
    return len(val_losses), len(val_losses)
