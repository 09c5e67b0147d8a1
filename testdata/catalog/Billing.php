<?php
namespace App\Billing;

use Illuminate\Support\Facades\Log;

class Billing
{
    public function charge($user, $amount)
    {
        $this->logger->error("Charge failed for {$user->id}: $reason"); // #billing
        $logger->warning('User {id} over limit', ['id' => $user->id]);
        Log::warning('Laravel facade warning'); # @max
        \Log::info(sprintf('charged %s %d', $user->email, $amount));
        error_log('plain error_log: ' . $msg);
        $this->log->debug("escaped \$dollar and \"quotes\"");
        $items->error('not a logger');
        echo "not a log";
        $this->logger?->notice('nullsafe notice');
        $logger->critical($e->getMessage());
    }
}
