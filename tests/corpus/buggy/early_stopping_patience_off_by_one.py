# expect-function: early_stopping_epoch
# expect-hint: early_stopping_patience_off_by_one
def early_stopping_epoch(val_losses, patience, min_delta):
    best, best_epoch, wait = None, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if best is None or loss < best - min_delta:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)
