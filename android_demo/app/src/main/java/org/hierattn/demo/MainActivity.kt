package org.hierattn.demo

import android.app.Activity
import android.os.Bundle
import android.view.View
import android.widget.Button
import android.widget.ImageView
import android.widget.SeekBar
import android.widget.TextView
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.activity.viewModels
import androidx.appcompat.app.AppCompatActivity
import com.google.android.material.switchmaterial.SwitchMaterial

/** Pick or take a photo, then show the crop, the top classes, the timing and the referral. */
class MainActivity : AppCompatActivity() {
    private val viewModel: ClassifierViewModel by viewModels()

    private val pickPhoto = registerForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        if (uri != null) viewModel.classify(uri)
    }

    private val takePhoto = registerForActivityResult(ActivityResultContracts.StartActivityForResult()) { result ->
        val uri = result.data?.data
        if (result.resultCode == Activity.RESULT_OK && uri != null) viewModel.classify(uri)
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setContentView(R.layout.activity_main)

        findViewById<Button>(R.id.pick_photo).setOnClickListener {
            pickPhoto.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly))
        }
        findViewById<Button>(R.id.take_photo).setOnClickListener {
            takePhoto.launch(CameraActivity.intent(this))
        }
        val threads = findViewById<SeekBar>(R.id.threads)
        threads.progress = UiState.DEFAULT_THREADS - 1
        threads.setOnSeekBarChangeListener(object : SeekBar.OnSeekBarChangeListener {
            override fun onProgressChanged(bar: SeekBar, progress: Int, fromUser: Boolean) {
                if (fromUser) viewModel.setThreads(progress + 1)
            }

            override fun onStartTrackingTouch(bar: SeekBar) = Unit
            override fun onStopTrackingTouch(bar: SeekBar) = Unit
        })
        val gpu = findViewById<SwitchMaterial>(R.id.use_gpu)
        gpu.isEnabled = HierAttnClassifier.gpuSupported()
        if (!gpu.isEnabled) gpu.text = getString(R.string.gpu_unsupported)
        gpu.setOnCheckedChangeListener { _, checked -> viewModel.setDelegate(if (checked) Delegate.GPU else Delegate.CPU) }

        viewModel.state.observe(this) { render(it) }
    }

    private fun render(state: UiState) {
        val metadata = state.metadata
        findViewById<TextView>(R.id.model_info).text = when {
            metadata != null -> getString(R.string.model_label, state.modelName, metadata.precision, metadata.inputWidth, metadata.inputHeight)
            state.error != null -> getString(R.string.no_model)
            else -> ""
        }
        findViewById<TextView>(R.id.threads_label).text = getString(R.string.threads_label, state.threads)
        findViewById<Button>(R.id.pick_photo).isEnabled = metadata != null && !state.running
        findViewById<Button>(R.id.take_photo).isEnabled = metadata != null && !state.running

        val top = findViewById<TextView>(R.id.top_classes)
        val result = state.result
        when {
            state.running -> top.text = getString(R.string.working)
            state.error != null -> top.text = getString(R.string.error_prefix, state.error)
            result != null -> top.text = result.top.joinToString("\n") { getString(R.string.top_class, it.label, it.probability * PERCENT) }
            else -> top.text = ""
        }
        val preview = findViewById<ImageView>(R.id.crop_preview)
        val crop = findViewById<TextView>(R.id.crop_info)
        val time = findViewById<TextView>(R.id.inference_time)
        val referral = findViewById<TextView>(R.id.referral)
        if (result == null || state.running) {
            preview.visibility = View.GONE
            crop.text = ""
            time.text = ""
            referral.text = ""
            return
        }
        preview.visibility = View.VISIBLE
        preview.setImageBitmap(result.modelInput)
        val box = result.cropBox
        crop.text = if (box == null) getString(R.string.crop_none)
        else getString(R.string.crop_applied, box.x0, box.x1, box.y0, box.y1, result.sourceWidth, result.sourceHeight)
        time.text = getString(R.string.stage_times, result.decodeMs, result.preprocessMs, result.inferenceMs, result.delegate.label)
        val threshold = result.referralThreshold * PERCENT
        referral.text = if (result.referralTriggers.isEmpty()) getString(R.string.referral_no, threshold)
        else getString(R.string.referral_yes, result.referralTriggers.joinToString(", ") { it.label }, threshold)
    }

    companion object {
        private const val PERCENT = 100.0
    }
}
